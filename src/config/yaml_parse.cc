// YAML file -> Config. yaml-cpp throws; every exception stops here and becomes a Status
// (STYLE.md rule 4), and yaml-cpp's types stay inside this file.
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <set>
#include <sstream>
#include <string>

#include "common/file.h"
#include "config/config.h"
#include "config/key_table.h"
#include "config/value_text.h"

namespace rerankd::config {
namespace {

class YamlReader {
 public:
  explicit YamlReader(std::string_view source) : source_(source) {}

  Status read_root(const YAML::Node& root, Config& config) const {
    if (root.IsNull()) return {};  // an empty file or a lone "---": all defaults
    if (!root.IsMap()) {
      return error_at(root.Mark(),
                      "expected a mapping with the sections model, batching and server");
    }
    std::set<std::string> seen;
    for (const auto& entry : root) {
      RERANKD_ASSIGN_OR_RETURN(const std::string section, key_text(entry.first, ""));
      if (!seen.insert(section).second) return error_at(entry.first.Mark(), section + ": repeated");
      if (!is_section(section)) {
        return error_at(entry.first.Mark(),
                        unknown_key_message(section) + " (sections: model, batching, server)");
      }
      RERANKD_RETURN_IF_ERROR(read_section(section, entry.first.Mark(), entry.second, config));
    }
    return {};
  }

  Status error_at(const YAML::Mark& mark, const std::string& message) const {
    return invalid_at(source_, mark.is_null() ? 0 : mark.line + 1, message);
  }

 private:
  Status read_section(const std::string& section, const YAML::Mark& mark, const YAML::Node& node,
                      Config& config) const {
    if (node.IsNull()) return {};  // "batching:" with nothing under it keeps the defaults
    if (!node.IsMap()) return error_at(mark, section + ": expected a mapping of keys");
    std::set<std::string> seen;
    for (const auto& entry : node) {
      RERANKD_ASSIGN_OR_RETURN(const std::string name, key_text(entry.first, section + "."));
      const std::string dotted = section + "." + name;
      // yaml-cpp keeps both copies of a repeated key; which one wins would be a guess.
      if (!seen.insert(name).second) return error_at(entry.first.Mark(), dotted + ": repeated");
      const KeySpec* spec = find_key(dotted);
      if (spec == nullptr) return error_at(entry.first.Mark(), unknown_key_message(dotted));
      const Status status = read_value(spec->field(config), entry.second);
      if (!status.ok()) return error_at(entry.first.Mark(), dotted + ": " + status.message());
    }
    return {};
  }

  // The key as text; a key that is a list or a mapping is an error.
  Result<std::string> key_text(const YAML::Node& key, const std::string& prefix) const {
    if (!key.IsScalar()) return error_at(key.Mark(), prefix + "<key>: expected a plain key");
    return key.Scalar();
  }

  static Status read_value(const FieldRef& field, const YAML::Node& value) {
    if (auto* list = std::get_if<std::vector<int>*>(&field);
        list != nullptr && value.IsSequence()) {
      return read_int_list(**list, value);
    }
    if (value.IsScalar()) return set_field_from_text(field, value.Scalar());
    if (value.IsNull() && std::holds_alternative<std::string*>(field)) {
      // "api_key:" with no value is the empty string, as the default is.
      std::get<std::string*>(field)->clear();
      return {};
    }
    return invalid_argument("expected " + std::string(expected_description(field)) + ", got " +
                            kind_name(value));
  }

  static Status read_int_list(std::vector<int>& target, const YAML::Node& sequence) {
    std::vector<int> values;
    for (const YAML::Node& element : sequence) {
      if (!element.IsScalar()) {
        return invalid_argument("expected a list of integers, got " + kind_name(element) +
                                " in the list");
      }
      const Result<int> value = parse_int(element.Scalar());
      if (!value.ok()) {
        return invalid_argument("expected a list of integers, got " +
                                quote_for_message(element.Scalar()) + " in the list");
      }
      values.push_back(*value);
    }
    target = std::move(values);
    return {};
  }

  static std::string kind_name(const YAML::Node& node) {
    if (node.IsSequence()) return "a list";
    if (node.IsMap()) return "a mapping";
    if (node.IsNull()) return "nothing";
    return "'" + node.Scalar() + "'";
  }

  std::string_view source_;
};

// How many documents a YAML stream holds (three at most are read), and where the parser got
// stuck if it did. yaml-cpp 0.7's LoadAll never returns on a token that starts no node outside
// a flow collection (",~", "]"): HandleNextDocument reports a null document without consuming
// the token, again on every call, and LoadAll keeps asking while its vector grows
// (jbeder/yaml-cpp issue 1040; fixed upstream after 0.8). Here the loop is bounded, and a
// document that starts where the previous one started is that stuck token.
class DocumentCounter final : public YAML::EventHandler {
 public:
  int documents() const { return documents_; }
  const YAML::Mark* stuck_at() const { return stuck_ ? &start_ : nullptr; }

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (documents_ > 0 && mark.pos == start_.pos) stuck_ = true;
    start_ = mark;
    ++documents_;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& /*mark*/, YAML::anchor_t /*anchor*/) override {}
  void OnAlias(const YAML::Mark& /*mark*/, YAML::anchor_t /*anchor*/) override {}
  void OnScalar(const YAML::Mark& /*mark*/, const std::string& /*tag*/, YAML::anchor_t /*anchor*/,
                const std::string& /*value*/) override {}
  void OnSequenceStart(const YAML::Mark& /*mark*/, const std::string& /*tag*/,
                       YAML::anchor_t /*anchor*/, YAML::EmitterStyle::value /*style*/) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& /*mark*/, const std::string& /*tag*/, YAML::anchor_t /*anchor*/,
                  YAML::EmitterStyle::value /*style*/) override {}
  void OnMapEnd() override {}

 private:
  int documents_ = 0;
  bool stuck_ = false;
  YAML::Mark start_;
};

}  // namespace

Result<Config> parse_config_yaml(std::string_view yaml_text, std::string_view source) {
  const YamlReader reader(source);
  try {
    const std::string text(yaml_text);
    // Not YAML::LoadAll, which can loop for ever (DocumentCounter).
    std::istringstream stream(text);
    YAML::Parser parser(stream);
    DocumentCounter counter;
    while (counter.documents() < 3 && counter.stuck_at() == nullptr &&
           parser.HandleNextDocument(counter)) {
    }
    if (const YAML::Mark* mark = counter.stuck_at()) {
      const auto at = static_cast<std::size_t>(mark->pos);
      const std::string token = at < text.size() ? quote_for_message(text.substr(at, 1)) : "end";
      return invalid_argument(std::string(source) + ":" + std::to_string(mark->line + 1) + ":" +
                              std::to_string(mark->column + 1) + ": YAML syntax error: " + token +
                              " starts no value");
    }
    Config config;
    if (counter.documents() == 0) return config;
    if (counter.documents() > 1) {
      return invalid_argument(std::string(source) + ": holds " +
                              (counter.documents() > 2 ? std::string("3 or more")
                                                       : std::to_string(counter.documents())) +
                              " YAML documents; a config is one");
    }
    RERANKD_RETURN_IF_ERROR(reader.read_root(YAML::Load(text), config));
    return config;
  } catch (const YAML::Exception& e) {
    // ParserException and the others carry the position in the text; `msg` is without it.
    std::string where = std::string(source);
    if (!e.mark.is_null()) {
      where += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    }
    return invalid_argument(where + ": YAML syntax error: " + e.msg);
  } catch (const std::exception& e) {
    return internal_error(std::string(source) + ": reading YAML failed: " + e.what());
  }
}

Result<Config> load_config_file(const std::filesystem::path& path) {
  RERANKD_ASSIGN_OR_RETURN(const std::string text, read_file(path));
  return parse_config_yaml(text, path.string());
}

}  // namespace rerankd::config
