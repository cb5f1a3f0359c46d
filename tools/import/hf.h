// Import of a Hugging Face model's config.json (as published with its weights)
// into an einflow model workload: the dense GPT-2, GPT-NeoX, Llama, Mistral,
// Qwen2, Phi-3 and Gemma families, Mixtral (MoE) and DeepSeek-V2/V3 (latent
// attention, MoE with shared experts). Each field is either read into the model,
// listed in the notes as not changing the computation (tokenizer ids, dropout,
// generation settings), or an error naming it (exit 2): a field einflow does
// not know, or a value that would change the computation in a way it does not
// build.
#pragma once

#include <string>
#include <vector>

namespace einflow::import {

struct HfImport {
  std::string name;           // the model's name (from _name_or_path, else the folder)
  std::string file_stem;      // a file-name-safe form of it
  std::string workload_yaml;  // model + instance
  std::vector<std::string> notes;
};

// `seq_len`: the instance's sequence length. Throws UserError (file:line:col)
// for malformed JSON, unknown fields and unsupported values, listing them all.
HfImport import_hf(const std::string& config_path, int64_t seq_len = 512);

}  // namespace einflow::import
