// `einflow map` with a mapper of algorithm cosma (tools/cli/map_cosma.cpp).
#pragma once

#include <string>

#include "arch/arch.h"
#include "mappers/search/mapper_config.h"
#include "workloads/workload.h"

namespace einflow::cli {

int map_cosma(const arch::Architecture& a, const workloads::Workload& w, const workloads::Variant& v,
              const search::MapperConfig& cfg, const std::string& out);

}  // namespace einflow::cli
