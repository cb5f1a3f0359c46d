#include "arch/dram_standard.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <set>

#include "arch/dram_builtin.h"
#include "common/text.h"
#include "common/yaml_node.h"

namespace einflow::arch {
namespace {

int as_int(double v) { return static_cast<int>(v); }

// Timing values in cycles of tCK; `ns` values are converted with JEDEC's
// rounding algorithm (JESD79-4 §13.5: nCK = truncate(t / tCK + 0.974)).
#define EINFLOW_TIMING(KEY, FIELD, DOC)                                                   \
  {"timing", KEY, "cycles", true, true, 0, DOC,                                        \
   [](DramStandard& d, double v) { d.timing.FIELD = as_int(v); }}
#define EINFLOW_ORG(KEY, EXPR, DOC)                                                       \
  {"organization", KEY, "", true, true, 1, DOC, [](DramStandard& d, double v) { EXPR; }}
#define EINFLOW_PIM(KEY, UNIT, INTEGER, MIN, FIELD, DOC)                                 \
  {"pim", KEY, UNIT, INTEGER, false, MIN, DOC,                                          \
   [](DramStandard& d, double v) { d.pim.FIELD = static_cast<decltype(d.pim.FIELD)>(v); }}
#define EINFLOW_IDD(KEY, UNIT, FIELD, DOC)                                                \
  {"energy", KEY, UNIT, false, false, 0, DOC,                                           \
   [](DramStandard& d, double v) { d.power.FIELD = v; }}

}  // namespace

const std::vector<DramParam>& dram_params() {
  static const std::vector<DramParam> p = {
      EINFLOW_ORG("channels", d.channels = as_int(v), "channels per device, stack or DIMM"),
      EINFLOW_ORG("ranks", d.org.ranks = as_int(v), "ranks per channel"),
      EINFLOW_ORG("bankgroups", d.org.bankgroups = as_int(v), "bank groups per rank"),
      EINFLOW_ORG("banks_per_group", d.org.banks_per_group = as_int(v), "banks per bank group"),
      EINFLOW_ORG("rows", d.org.rows = static_cast<int64_t>(v), "rows per bank"),
      EINFLOW_ORG("columns", d.org.columns = as_int(v), "accesses (column commands) per row"),
      EINFLOW_ORG("devices_per_rank", d.org.devices_per_rank = as_int(v),
                  "chips sharing a rank's command bus (IDD energy is per device)"),
      EINFLOW_ORG("bus_bits", d.bus_bits = as_int(v), "data bus width per channel"),
      EINFLOW_ORG("burst_length", d.burst_length = as_int(v), "beats per access"),
      EINFLOW_ORG("access_bytes", d.access_bytes = as_int(v), "bytes per column command"),
      {"organization", "channel_gbps", "GB/s", false, true, 1e-9, "peak bandwidth per channel (1e9 B/s)",
       [](DramStandard& d, double v) { d.channel_gbps = v; }},
      {"timing", "tCK", "ns", false, true, 1e-9, "command clock period",
       [](DramStandard& d, double v) { d.timing.tck_ns = v; }},
      EINFLOW_TIMING("CL", cl, "RD to its first data"),
      EINFLOW_TIMING("CWL", cwl, "WR to its first data"),
      EINFLOW_TIMING("tRCD_RD", trcd_rd, "ACT to RD, same bank"),
      EINFLOW_TIMING("tRCD_WR", trcd_wr, "ACT to WR, same bank"),
      EINFLOW_TIMING("tRP", trp, "PRE to ACT, same bank"),
      EINFLOW_TIMING("tRAS", tras, "ACT to PRE, same bank"),
      EINFLOW_TIMING("tRC", trc, "ACT to ACT, same bank"),
      EINFLOW_TIMING("tCCD_S", tccd_s, "column to column, another bank group"),
      EINFLOW_TIMING("tCCD_L", tccd_l, "column to column, same bank group"),
      EINFLOW_TIMING("tRRD_S", trrd_s, "ACT to ACT, another bank group"),
      EINFLOW_TIMING("tRRD_L", trrd_l, "ACT to ACT, same bank group"),
      EINFLOW_TIMING("tFAW", tfaw, "window of at most four ACTs per rank"),
      EINFLOW_TIMING("tREFI", trefi, "all-bank refresh interval"),
      EINFLOW_TIMING("tRFC", trfc, "all-bank refresh duration"),
      EINFLOW_TIMING("tBURST", burst, "data-bus cycles of one access (BL8 on DDR: 4)"),
      EINFLOW_TIMING("tWR", twr, "end of write data to PRE, same bank"),
      EINFLOW_TIMING("tRTP", trtp, "RD to PRE, same bank"),
      EINFLOW_TIMING("tWTR_S", twtr_s, "end of write data to RD, another bank group"),
      EINFLOW_TIMING("tWTR_L", twtr_l, "end of write data to RD, same bank group"),
      EINFLOW_TIMING("tRTRS", trtrs, "data-bus gap when the rank changes"),
      EINFLOW_IDD("VDD", "V", vdd, "supply voltage of the IDD currents"),
      EINFLOW_IDD("IDD0", "mA", idd0, "one bank ACT-PRE cycling"),
      EINFLOW_IDD("IDD2N", "mA", idd2n, "precharge standby"),
      EINFLOW_IDD("IDD3N", "mA", idd3n, "active standby"),
      EINFLOW_IDD("IDD4R", "mA", idd4r, "burst read"),
      EINFLOW_IDD("IDD4W", "mA", idd4w, "burst write"),
      EINFLOW_IDD("IDD5B", "mA", idd5b, "burst refresh"),
      {"energy", "pj_per_bit", "pJ/bit", false, true, 0, "off-chip access energy (analytical model)",
       [](DramStandard& d, double v) { d.pj_per_bit = v; }},
      EINFLOW_PIM("banks_per_unit", "", true, 1, banks_per_unit, "banks sharing one compute unit"),
      EINFLOW_PIM("lanes", "", true, 1, lanes, "multiply-accumulate lanes per unit"),
      EINFLOW_PIM("clock_mhz", "MHz", false, 1e-9, clock_mhz, "the units' clock"),
      EINFLOW_PIM("register_entries", "", true, 1, register_entries,
                  "HBM-PIM: 256-bit entries of GRF_A and of GRF_B"),
      EINFLOW_PIM("instruction_entries", "", true, 1, instruction_entries, "HBM-PIM: CRF instructions"),
      EINFLOW_PIM("global_buffer_bytes", "", true, 1, global_buffer_bytes, "AiM: global buffer per channel"),
      EINFLOW_PIM("result_latches", "", true, 1, result_latches,
                  "AiM: partial sums a bank's unit holds at once (1: read each before the next row)"),
      EINFLOW_PIM("tRCD_MAC", "cycles", true, 0, trcd_mac, "AiM: ACT16 to MAC16"),
      EINFLOW_PIM("tRCD_AF", "cycles", true, 0, trcd_af, "AiM: ACT16 to AF16"),
      EINFLOW_PIM("tRCD_EWMUL", "cycles", true, 0, trcd_ewmul, "AiM: ACT16 to EWMUL16"),
      EINFLOW_PIM("tMOD", "cycles", true, 0, tmod, "AiM: TMOD to any command"),
      EINFLOW_PIM("tWRGB_RDMAC", "cycles", true, 0, twrgb_rdmac, "AiM: WRGB to RDMAC16"),
      EINFLOW_PIM("tWRMAC_RDMAC", "cycles", true, 0, twrmac_rdmac, "AiM: WRMAC16 to RDMAC16"),
      EINFLOW_PIM("tRDMAC_WR", "cycles", true, 0, trdmac_wr, "AiM: RDMAC16 to WRGB or WRMAC16"),
      EINFLOW_PIM("inbank_pj_per_bit", "pJ/bit", false, 0, inbank_pj_per_bit,
                  "a column access that stays inside the DRAM"),
      EINFLOW_PIM("pj_per_mac", "pJ", false, 0, pj_per_mac, "one multiply-accumulate of one lane"),
      EINFLOW_PIM("unit_area_mm2", "mm^2", false, 0, unit_area_mm2, "one compute unit's area"),
  };
  return p;
}

#undef EINFLOW_TIMING
#undef EINFLOW_ORG
#undef EINFLOW_IDD
#undef EINFLOW_PIM

const char* pim_command_set_name(PimCommandSet s) {
  switch (s) {
    case PimCommandSet::kHbmPim:
      return "hbm-pim";
    case PimCommandSet::kAim:
      return "aim";
    case PimCommandSet::kNone:
      break;
  }
  return "none";
}

namespace {

const char* const kSections[] = {"organization", "timing", "energy"};

// Reads one section's values into `d`, checking keys, units, sources and ranges.
class SectionReader {
 public:
  SectionReader(const YamlNode& sources, DramStandard& d, Diagnostics& diags)
      : m_sources(sources), m_d(d), m_diags(diags) {}

  // The values given, by key; tCK is read first so that ns values convert.
  void read(const char* section, const YamlNode& n, const std::vector<std::string>& text_keys = {}) {
    if (!n.expect_map(m_diags)) return;
    std::vector<std::string> keys = text_keys;
    for (const auto& p : dram_params())
      if (std::string(p.section) == section) keys.push_back(p.key);
    n.check_keys(keys, m_diags);
    for (const auto& p : dram_params()) {
      if (std::string(p.section) != section) continue;
      if (!n.has(p.key)) {
        if (p.required) m_diags.error(n.loc(), n.path(), std::string("missing required key '") + p.key + "'");
        continue;
      }
      read_value(p, n[p.key]);
    }
  }

  const std::set<std::string>& given() const { return m_given; }

  // A value written as text, {value: WORD, source: KEY}, one of `allowed`.
  std::optional<std::string> read_text(const YamlNode& v, const std::vector<std::string>& allowed) {
    if (!v.expect_map(m_diags)) return std::nullopt;
    v.check_keys({"value", "source"}, m_diags);
    if (!v.require("value", m_diags) || !v.require("source", m_diags)) return std::nullopt;
    auto value = v["value"].as_string(m_diags);
    auto source = v["source"].as_string(m_diags);
    if (!value || !source || !known_source(v, *source)) return std::nullopt;
    if (std::find(allowed.begin(), allowed.end(), *value) == allowed.end()) {
      m_diags.error(v["value"].loc(), v["value"].path(),
                    "expected one of " + join(allowed, ", ") + ", got '" + *value + "'" +
                        did_you_mean(*value, allowed));
      return std::nullopt;
    }
    const std::string key = v.path().substr(v.path().rfind('.') + 1);
    m_given.insert(key);
    m_d.value_sources.emplace_back("pim." + key, m_sources[*source].scalar());
    return value;
  }

 private:
  bool known_source(const YamlNode& v, const std::string& source) {
    if (m_sources.has(source)) return true;
    std::vector<std::string> names;
    for (const auto& e : m_sources.entries()) names.push_back(e.first);
    m_diags.error(v["source"].loc(), v["source"].path(),
                  "unknown source '" + source + "'; the file's sources: " + join(names, ", ") +
                      did_you_mean(source, names));
    return false;
  }

  void read_value(const DramParam& p, const YamlNode& v) {
    if (!v.expect_map(m_diags)) return;
    v.check_keys({"value", "unit", "source"}, m_diags);
    if (!v.require("value", m_diags) || !v.require("source", m_diags)) return;
    auto value = v["value"].as_double(m_diags);
    auto source = v["source"].as_string(m_diags);
    if (!value || !source) return;
    const std::string unit = std::string(p.unit);
    double x = *value;
    if (!unit.empty()) {
      if (!v.require("unit", m_diags)) return;
      auto u = v["unit"].as_string(m_diags);
      if (!u) return;
      if (*u == "ns" && unit == "cycles") {
        if (!m_tck) {
          m_diags.error(v["unit"].loc(), v["unit"].path(), "a value in ns needs timing.tCK");
          return;
        }
        x = std::trunc(x / *m_tck + 0.974);
      } else if (*u != unit) {
        m_diags.error(v["unit"].loc(), v["unit"].path(),
                      "expected unit '" + unit + "'" + (unit == "cycles" ? " or 'ns'" : "") + ", got '" + *u + "'");
        return;
      }
    } else if (v.has("unit")) {
      m_diags.error(v["unit"].key_loc(), v["unit"].path(), "this value has no unit");
      return;
    }
    if (!std::isfinite(x) || x < p.min || x > static_cast<double>(std::numeric_limits<int>::max()) ||
        (p.integer && x != std::floor(x))) {
      m_diags.error(v["value"].loc(), v["value"].path(),
                    std::string("expected ") + (p.integer ? "a whole number" : "a number") +
                        (p.min > 0 ? " > 0" : " >= 0") + ", got " + v["value"].scalar());
      return;
    }
    if (!known_source(v, *source)) return;
    p.set(m_d, x);
    if (std::string(p.key) == "tCK") m_tck = x;
    m_given.insert(p.key);
    const std::string cite = m_sources[*source].scalar();
    m_d.value_sources.emplace_back(std::string(p.section) + "." + p.key, cite);
  }

  const YamlNode& m_sources;
  DramStandard& m_d;
  Diagnostics& m_diags;
  std::optional<double> m_tck;
  std::set<std::string> m_given;
};

// The distinct citations of a section's values, in file order, joined by "; ".
std::string citations(const DramStandard& d, const std::string& section, const std::set<std::string>& keys) {
  std::vector<std::string> out;
  for (const auto& [key, cite] : d.value_sources) {
    if (key.rfind(section + ".", 0) != 0) continue;
    if (!keys.empty() && !keys.count(key.substr(section.size() + 1))) continue;
    if (std::find(out.begin(), out.end(), cite) == out.end()) out.push_back(cite);
  }
  return join(out, "; ");
}

void check_idd(const YamlNode& energy, const std::set<std::string>& given, DramStandard& d, Diagnostics& diags) {
  std::set<std::string> idd;
  std::vector<std::string> missing;
  for (const auto& p : dram_params())
    if (std::string(p.section) == "energy" && !p.required) {
      idd.insert(p.key);
      if (!given.count(p.key)) missing.push_back(p.key);
    }
  if (missing.size() == idd.size()) return;
  if (!missing.empty()) {
    diags.error(energy.loc(), energy.path(),
                "IDD energy needs VDD and every current; missing: " + join(missing, ", "));
    return;
  }
  d.power.idd = true;
  const std::string idd_cite = citations(d, "energy", idd);
  const std::string bit_cite = citations(d, "energy", {"pj_per_bit"});
  d.energy_source = idd_cite + "; analytical model: " + bit_cite;
}

// The `pim` section: the command set and the formats as words, the rest as
// numbers; what each command set needs must be there.
void read_pim(const YamlNode& n, SectionReader& reader, DramStandard& d, Diagnostics& diags) {
  const std::vector<std::string> text = {"command_set", "datatype", "accumulate"};
  reader.read("pim", n, text);
  if (!n.is_map()) return;
  const std::vector<std::string> formats = {"fp16", "bf16", "fp32"};
  for (const std::string& key : text) {
    if (!n.has(key)) {
      diags.error(n.loc(), n.path(), "missing required key '" + key + "'");
      continue;
    }
    auto v = reader.read_text(n[key], key == "command_set" ? std::vector<std::string>{"hbm-pim", "aim"} : formats);
    if (!v) continue;
    if (key == "command_set") d.pim.command_set = *v == "aim" ? PimCommandSet::kAim : PimCommandSet::kHbmPim;
    if (key == "datatype") d.pim.datatype = *v;
    if (key == "accumulate") d.pim.accumulate = *v;
  }
  std::vector<std::string> needed = {"banks_per_unit", "lanes", "clock_mhz", "inbank_pj_per_bit", "pj_per_mac"};
  if (d.pim.command_set == PimCommandSet::kHbmPim) {
    needed.insert(needed.end(), {"register_entries", "instruction_entries"});
  } else if (d.pim.command_set == PimCommandSet::kAim) {
    needed.insert(needed.end(),
                  {"global_buffer_bytes", "tRCD_MAC", "tRCD_AF", "tRCD_EWMUL", "tMOD", "tWRGB_RDMAC", "tWRMAC_RDMAC",
                   "tRDMAC_WR"});
  }
  for (const std::string& key : needed)
    if (!reader.given().count(key))
      diags.error(n.loc(), n.path(),
                  "missing required key '" + key + "' (the " + pim_command_set_name(d.pim.command_set) +
                      " command set needs it)");
  const int banks = d.org.bankgroups * d.org.banks_per_group;
  if (d.pim.banks_per_unit > 0 && banks % d.pim.banks_per_unit != 0)
    diags.error(n["banks_per_unit"].loc(), n["banks_per_unit"].path(),
                "banks_per_unit must divide the rank's " + std::to_string(banks) + " banks");
  if (d.pim.datatype == "fp32" && n.has("datatype"))
    diags.error(n["datatype"].loc(), n["datatype"].path(),
                "the PIM units' operands are 16-bit (fp16 or bf16); fp32 may be the accumulator's format");
  // A unit's lanes take one column access: 16-bit values, access_bytes of them.
  if (d.pim.lanes > 0 && d.pim.lanes * 2 != d.access_bytes && n.has("lanes"))
    diags.error(n["lanes"].loc(), n["lanes"].path(),
                "a unit's lanes take one column access of 16-bit values: " + std::to_string(d.access_bytes / 2) +
                    " lanes for " + std::to_string(d.access_bytes) + "-byte accesses");
  if (d.pim.command_set == PimCommandSet::kHbmPim && (d.org.ranks != 1 || banks != 16 || d.pim.banks_per_unit != 2))
    diags.error(n.loc(), n.path(),
                "the hbm-pim command set runs PIMSimulator's kernels: one rank of 16 banks, a unit per two banks "
                "(even and odd)");
  if (d.pim.command_set == PimCommandSet::kAim && (d.org.ranks != 1 || d.org.bankgroups != 4 || banks != 16))
    diags.error(n.loc(), n.path(), "the aim command set has one rank of 4 bank groups x 4 banks (ACT4, ACT16)");
  if (d.pim.command_set == PimCommandSet::kAim && d.pim.global_buffer_bytes < d.access_bytes &&
      n.has("global_buffer_bytes"))
    diags.error(n["global_buffer_bytes"].loc(), n["global_buffer_bytes"].path(),
                "the global buffer holds at least one access (" + std::to_string(d.access_bytes) + " bytes)");
}

}  // namespace

DramStandard read_dram_standard(const YamlNode& doc) {
  Diagnostics diags;
  DramStandard d;
  d.file = doc.file();
  if (!doc.expect_map(diags)) diags.throw_if_any();
  doc.check_keys({"name", "sources", "organization", "timing", "energy", "pim"}, diags);
  for (const char* key : {"name", "sources", "organization", "timing", "energy"}) doc.require(key, diags);
  if (doc.has("name")) {
    if (auto name = doc["name"].as_string(diags)) d.name = *name;
    if (doc["name"].is_scalar() && d.name.empty()) diags.error(doc["name"].loc(), "name", "expected a name");
  }
  // Every fault is collected; the values are read only against readable sources.
  const YamlNode sources = doc["sources"];
  if (!doc.has("sources") || !sources.expect_map(diags)) diags.throw_if_any();
  for (const auto& [key, text] : sources.entries()) text.as_string(diags);
  SectionReader reader(sources, d, diags);
  for (const char* section : kSections)
    if (doc.has(section)) reader.read(section, doc[section]);
  if (doc.has("pim")) read_pim(doc["pim"], reader, d, diags);
  diags.throw_if_any();
  d.timing_source = citations(d, "timing", {});
  d.energy_source = citations(d, "energy", {"pj_per_bit"});
  check_idd(doc["energy"], reader.given(), d, diags);
  // Refresh must end before the next is due.
  if (d.timing.trefi <= d.timing.trfc + d.timing.trp)
    diags.error(doc["timing"].loc(), "timing", "tREFI must exceed tRFC + tRP (a refresh ends before the next is due)");
  // A channel must be addressable: its capacity in bytes fits 64 bits.
  const long double bytes = static_cast<long double>(d.org.banks()) * static_cast<long double>(d.org.rows) *
                            d.org.columns * d.access_bytes;
  if (bytes > static_cast<long double>(std::numeric_limits<int64_t>::max()))
    diags.error(doc["organization"].loc(), "organization", "a channel of over 2^63 bytes");
  diags.throw_if_any();
  return d;
}

namespace {

const std::vector<DramStandard>& builtins() {
  static const std::vector<DramStandard> s = [] {
    std::vector<DramStandard> out;
    for (const auto& [file, text] : builtin_dram_files())
      out.push_back(read_dram_standard(YamlNode::load_string(text, file)));
    return out;
  }();
  return s;
}

}  // namespace

uint64_t DramStandard::channel_bytes() const {
  return static_cast<uint64_t>(org.banks()) * static_cast<uint64_t>(org.rows) * static_cast<uint64_t>(org.columns) *
         static_cast<uint64_t>(access_bytes);
}

std::optional<DramStandard> find_dram_standard(const std::string& name) {
  for (const auto& d : builtins())
    if (d.name == name) return d;
  return std::nullopt;
}

std::vector<std::string> dram_standard_names() {
  std::vector<std::string> names;
  for (const auto& d : builtins()) names.push_back(d.name);
  return names;
}

DramStandard resolve_dram_standard(const std::string& name_or_path, const SourceLoc& where,
                                   const std::string& key_path, const std::string& base_dir) {
  if (auto d = find_dram_standard(name_or_path)) return *d;
  namespace fs = std::filesystem;
  fs::path path(name_or_path);
  if (path.is_relative() && !base_dir.empty()) path = fs::path(base_dir) / path;
  const bool looks_like_path = name_or_path.find('/') != std::string::npos ||
                               path.extension() == ".yaml" || path.extension() == ".yml";
  std::error_code ec;
  if (looks_like_path && fs::is_regular_file(path, ec)) return read_dram_standard(YamlNode::load_file(path.string()));
  throw UserError(where, key_path,
                  looks_like_path ? "no DRAM standard file '" + path.string() + "'"
                                  : "unknown DRAM standard '" + name_or_path + "'; known: " +
                                        join(dram_standard_names(), ", ") +
                                        did_you_mean(name_or_path, dram_standard_names()) +
                                        ", or the path of a standard's file (configs/dram/*.yaml)");
}

}  // namespace einflow::arch
