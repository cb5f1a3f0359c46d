// Internal to mappers/cosma: a CBC model built column by column and row by row.
#pragma once

#include <coin/Cbc_C_Interface.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace einflow::cosma {

struct Model {  // owns the CBC model
  Model() : m(Cbc_newModel()) {}
  ~Model() { Cbc_deleteModel(m); }
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;
  int col(double lb, double ub, double obj, bool integer) {
    const std::string name = "c" + std::to_string(cols);  // CBC matches a start's values to columns by name
    Cbc_addCol(m, name.c_str(), lb, ub, obj, integer ? 1 : 0, 0, nullptr, nullptr);
    if (integer) ++integers;
    return cols++;
  }
  void row(const std::vector<std::pair<int, double>>& terms, char sense, double rhs) {
    std::map<int, double> merged;  // a column twice (the outputs of one operator share x) is summed
    for (const auto& [c, v] : terms)
      if (c >= 0) merged[c] += v;
    std::vector<int> idx;
    std::vector<double> val;
    for (const auto& [c, v] : merged)
      if (v != 0) idx.push_back(c), val.push_back(v);
    if (idx.empty()) return;  // 0 against a constant: nothing to add
    Cbc_addRow(m, "", static_cast<int>(idx.size()), idx.data(), val.data(), sense, rhs);
    ++rows;
  }
  Cbc_Model* m;
  int cols = 0, rows = 0, integers = 0;
};

}  // namespace einflow::cosma
