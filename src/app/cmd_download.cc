// rerankd download: fetch a Hub model's files into the shared Hugging Face cache and print the
// snapshot directory, as `hf download` would (only the files rerankd loads).
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "app/commands.h"
#include "app/engine_flags.h"

namespace rerankd::app {
namespace {

struct DownloadFlags {
  std::string model;
  std::string revision;
  bool offline = false;
};

int run_download(const DownloadFlags& flags) {
  const auto snapshot = resolve_model_flag(flags.model, flags.revision, flags.offline);
  if (!snapshot.ok()) return report_failure("download", snapshot.status());
  fmt::print("{}\n", snapshot->string());
  return 0;
}

}  // namespace

void add_download_command(CLI::App& app, CommandRunner& selected) {
  auto flags = std::make_shared<DownloadFlags>();
  auto* command = app.add_subcommand(
      "download", "Download a Hub model (org/name[@revision]) into the Hugging Face cache");
  command->add_option("model", flags->model, "Hub id, org/name or org/name@revision")->required();
  add_hub_flags(*command, flags->revision, flags->offline);
  command->callback([flags, &selected] { selected = [flags] { return run_download(*flags); }; });
}

}  // namespace rerankd::app
