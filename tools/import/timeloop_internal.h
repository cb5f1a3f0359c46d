// Shared between the parts of the Timeloop importer.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/yaml_node.h"

namespace einflow::import {

// One Timeloop component, flattened: storage levels outermost first, then the
// arithmetic unit.
struct TlComponent {
  std::string name;        // without the [0..N] range
  std::string cls;
  std::string subclass;    // Accelergy's (smartbuffer_RF, reg_storage, ...); "" when none
  bool is_compute = false;
  bool is_dram = false;
  int64_t instances = 1;
  int64_t mesh_x = 0;      // 0 when not given
  YamlNode attributes;
  // Attributes of the subtrees / containers it sits in, innermost first:
  // Accelergy shares them with what the subtree holds (its own win).
  std::vector<YamlNode> inherited;
  std::vector<std::string> keep, bypass;
  // Architecture constraints on the loops at this storage level (v0.4
  // `constraints: {temporal, spatial}`, or v0.3 `architecture_constraints`
  // targets); a container's spatial constraint lands on the storage above it.
  YamlNode temporal, spatial;
  SourceLoc loc;
};

struct TlArch {
  std::vector<TlComponent> components;
  // Each container (v0.4 !Container, v0.2/v0.3 subtree): the index of the
  // first component inside it. A spatial mapping directive that targets it
  // (or Timeloop's generated inter_NAME_spatial level) fans out below the last
  // storage level before that index.
  std::map<std::string, size_t> containers;
  // A container's spatial constraint, keyed like `containers`.
  std::vector<std::pair<size_t, YamlNode>> container_spatial;
  std::string technology;
  double clock_mhz = 1000;
};

TlArch read_timeloop_arch(const YamlNode& doc, std::vector<std::string>& notes);

// A document's v0.3 `architecture_constraints` / `mapspace_constraints`
// (Timeloop merges every input file; the constraints may be in any of them).
void read_constraints_doc(const YamlNode& doc, TlArch& arch, std::vector<std::string>& notes);

// Storage levels, outermost first.
std::vector<std::string> storage_names(const TlArch& arch);

// The storage level a directive at `target` acts on: a storage level by name
// or by Timeloop's level number (0 = innermost); for a spatial directive also
// a container with a fan-out or timeloop-mapper's inter_NAME_spatial level
// (`column` set for inter_NAME_column_spatial, the mesh's Y), which act on
// the storage above the container. "" when none.
std::string resolve_target(const TlArch& arch, std::string target, bool spatial, bool& column, const SourceLoc& loc);

// The einflow mapper file for the architecture constraints ("" when there are none).
std::string emit_mapper(const TlArch& arch, const std::vector<std::string>& dims, std::vector<std::string>& notes);

// "PE[0..15]" -> ("PE", 16); "Buffer" -> ("Buffer", 1). Throws on a bad range.
std::pair<std::string, int64_t> split_range(const std::string& name, const SourceLoc& loc);

// A numeric attribute of a component: its own, else the nearest enclosing
// subtree's or container's (keys with hyphens read as underscores; instance
// counts and meshes are never inherited). Nulls count as not given.
std::optional<double> attribute(const TlComponent& c, std::initializer_list<const char*> keys);

// Lower-case copy of s (ASCII).
std::string lower(std::string s);

// Text of a number for YAML output.
std::string number_text(double v);

// The elements of a list; a missing or null node has none; any other shape is
// the user's error at it ("`what` is a list").
std::vector<YamlNode> list_items(const YamlNode& n, const std::string& what);

}  // namespace einflow::import
