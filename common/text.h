// Small string helpers shared by the parsers and reports.
#pragma once

#include <string>
#include <vector>

namespace einflow {

// Levenshtein distance between a and b.
size_t edit_distance(const std::string& a, const std::string& b);

// The candidate nearest to `word`, or "" when none is plausibly meant
// (distance more than a third of the word's length, at least 2 allowed).
std::string nearest(const std::string& word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "" when nothing is near.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

std::string join(const std::vector<std::string>& items, const std::string& sep);

// Shortest decimal text that reads back as the same double ("inf", "-inf", "nan" too).
std::string format_double(double v);
// For tables and axis values: an integral value below 10^15 in full ("500"),
// anything else as format_double.
std::string format_number(double v);

// printf's text as a string (the CLI writes it to std::cout, which an embedder
// such as the Python module captures; C stdio it could not).
std::string printf_string(const char* format, ...) __attribute__((format(printf, 1, 2)));

}  // namespace einflow
