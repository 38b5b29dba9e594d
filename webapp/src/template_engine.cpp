#include "da/web/template_engine.hpp"

#include <atomic>
#include <cstdint>
#include <map>

#include <mustache.hpp>
#include <nlohmann/json.hpp>

#include "da/common/error.hpp"
#include "da/web/embedded_file.hpp"

namespace da::web {

namespace kms = kainjow::mustache;

namespace {

kms::data to_data(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object: {
      kms::data object{kms::data::type::object};
      for (auto it = value.begin(); it != value.end(); ++it)
        object.set(it.key(), to_data(it.value()));
      return object;
    }
    case nlohmann::json::value_t::array: {
      kms::data list{kms::data::type::list};
      for (const auto& item : value)
        list.push_back(to_data(item));
      return list;
    }
    case nlohmann::json::value_t::boolean:
      return value.get<bool>() ? kms::data{kms::data::type::bool_true}
                               : kms::data{kms::data::type::bool_false};
    case nlohmann::json::value_t::string:
      // kainjow renders a section for any string; an empty one means "nothing to show".
      if (value.get_ref<const std::string&>().empty())
        return kms::data{kms::data::type::bool_false};
      return kms::data{value.get_ref<const std::string&>()};
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      return kms::data{kms::data::type::bool_false};
    default:
      return kms::data{value.dump()};
  }
}

uint64_t next_engine_serial() {
  static std::atomic<uint64_t> counter{0};
  return ++counter;
}

}  // namespace

struct TemplateEngine::Impl {
  std::map<std::string, std::string, std::less<>> sources;
  // Keys the per-thread copies, not the address: a new engine may be built where an old one
  // was, and must not get that one's templates.
  const uint64_t serial = next_engine_serial();

  // kainjow's render() is not const (it records errors), so every thread gets its own
  // compiled copy of each template.
  kms::mustache& compiled(std::string_view name) const {
    thread_local std::map<uint64_t,
                          std::map<std::string, std::unique_ptr<kms::mustache>, std::less<>>>
        per_thread;
    auto& mine = per_thread[serial];
    auto found = mine.find(name);
    if (found != mine.end()) return *found->second;
    auto source = sources.find(name);
    if (source == sources.end())
      throw Error(ErrorKind::kInternal, "no template named " + std::string(name));
    auto inserted =
        mine.emplace(std::string(name), std::make_unique<kms::mustache>(source->second));
    return *inserted.first->second;
  }
};

TemplateEngine::TemplateEngine() : impl_(std::make_unique<Impl>()) {
  for (std::size_t i = 0; i < kTemplateFiles_count; ++i) {
    const EmbeddedFile& file = kTemplateFiles[i];
    std::string name = file.path;
    if (name.ends_with(".mustache")) name.resize(name.size() - 9);
    std::string text(reinterpret_cast<const char*>(file.data), file.size);
    kms::mustache check(text);
    if (!check.is_valid())
      throw Error(ErrorKind::kInternal,
                  "template " + std::string(file.path) + ": " + check.error_message());
    impl_->sources.emplace(std::move(name), std::move(text));
  }
}

TemplateEngine::~TemplateEngine() = default;

bool TemplateEngine::has(std::string_view name) const {
  return impl_->sources.count(name) > 0;
}

std::string TemplateEngine::render(std::string_view name, const nlohmann::json& data) const {
  kms::mustache& compiled = impl_->compiled(name);
  std::string out = compiled.render(to_data(data));
  if (!compiled.is_valid())
    throw Error(ErrorKind::kInternal,
                "template " + std::string(name) + ": " + compiled.error_message());
  return out;
}

}  // namespace da::web
