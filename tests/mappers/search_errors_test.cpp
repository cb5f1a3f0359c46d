// Errors stay errors: inside the cascade search and the named designs, a
// candidate that the mapping rules reject is a status with its reason, and an
// input fault propagates as the user's error instead of becoming a reject.
#include <gtest/gtest.h>

#include "arch/arch.h"
#include "common/files.h"
#include "mappers/cascade/cascade_search.h"
#include "mappers/named/named.h"
#include "workloads/workload.h"

namespace einflow::named {
namespace {

const std::string kData = std::string(EINFLOW_SOURCE_DIR) + "/tests/data/attention/";

// The miniature FuseMax with one line added under the global buffer's size.
arch::Architecture with_buffer_line(const std::string& line) {
  std::string text = read_file(kData + "fusemax-4x4.yaml");
  const std::string anchor = "        size_words: 4096\n";
  text.replace(text.find(anchor), anchor.size(), anchor + "        " + line + "\n");
  return arch::load_arch_text(text, "arch.yaml");
}

// A global buffer that may hold only the inputs and outputs cannot retain
// FLAT's QK rows: the design does not apply (a status naming the reason), the
// unfused design (intermediates through DRAM) does, and the search counts the
// candidates it rejects instead of failing.
TEST(SearchErrors, ARetentionTheBufferCannotKeepIsAReasonedReject) {
  const arch::Architecture a = with_buffer_line("keep: [Q, K, V, AV, Z]");
  const workloads::Workload w = workloads::load_workload(kData + "tiny.yaml");
  const workloads::Cascade& three = w.find_variant("3pass")->cascade;
  const DesignMapping flat = try_attention_mapping(*find_design("flat"), a, three);
  EXPECT_FALSE(flat.status.ok);
  EXPECT_NE(flat.status.reason.find("is retained at GlobalBuffer, but the mapping of Einsum"),
            std::string::npos)
      << flat.status.reason;
  EXPECT_THROW(attention_mapping(*find_design("flat"), a, three), UserError);
  EXPECT_TRUE(try_attention_mapping(*find_design("unfused"), a, three).status.ok);

  search::MapperConfig cfg;
  cfg.max_evaluations = 300;
  const cascade::CascadeSearchResult r = cascade::search_cascade(a, three, cfg);
  EXPECT_GT(r.valid, 0);
  EXPECT_GT(r.rejected, 0);
  EXPECT_FALSE(r.first_reject.empty());
}

// A bandwidth near zero makes every run longer than 2^62 cycles: the search
// reports that (the user's error), not "no valid mapping".
TEST(SearchErrors, AnInputFaultInsideTheSearchPropagates) {
  const arch::Architecture a = with_buffer_line("read_bandwidth: 1e-20");
  const workloads::Workload w = workloads::load_workload(kData + "tiny.yaml");
  search::MapperConfig cfg;
  cfg.max_evaluations = 50;
  try {
    cascade::search_cascade(a, w.find_variant("1pass")->cascade, cfg);
    ADD_FAILURE() << "no error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("2^62"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace einflow::named
