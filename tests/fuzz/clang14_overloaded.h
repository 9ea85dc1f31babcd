// Force-included (tests/fuzz/CMakeLists.txt) into the sources that build a visitor with
// `Overloaded{lambdas...}` when RERANKD_FUZZ builds with a clang older than 17, which lacks
// class template argument deduction for aggregates (P1816): the C++17 deduction guide,
// declared before the file's own definition of the template in the same unnamed namespace.
#pragma once

namespace rerankd::config {
namespace {

template <typename... Fs>
struct Overloaded;
template <typename... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace
}  // namespace rerankd::config
