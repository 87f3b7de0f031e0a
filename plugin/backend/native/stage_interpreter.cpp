#include "plugin/backend/native/stage_interpreter.h"

#include <Poco/String.h>
#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <functional>
#include <set>
#include <tuple>

#include "core/read_file.h"
#include "plugin/backend/native/config_instructions.h"
#include "plugin/backend/native/copy_sources.h"
#include "plugin/backend/native/owner_names.h"
#include "plugin/backend/native/pending_layer.h"

namespace kiln::plugin {
namespace {
namespace fs = std::filesystem;

class Interpreter {
 public:
  Interpreter(const Dockerfile& dockerfile, const BuildInputs& inputs, const BaseLookup& base)
      : df_(dockerfile), in_(inputs), base_(base) {
    for (const Instruction& arg : df_.global_args) declare_args(arg, globals_, globals_);
  }

  ImageRecipe run() {
    const Stage& stage = find_target();
    return run_stage(stage, 0);
  }

 private:
  std::string where(const Instruction& i) const { return fmt::format("{}:{}", df_.file_name, i.line); }

  // Every expansion of this build draws on one budget (dockerfile_limits::kMaxExpandedTotal).
  std::string expand(std::string_view word, const std::map<std::string, std::string>& vars, int line) const {
    return expand_word(word, vars, df_.escape, df_.file_name, line, &budget_);
  }

  const Stage& find_target() const {
    if (df_.stages.empty()) throw_usage(fmt::format("{}: no FROM instruction", df_.file_name));
    if (in_.target.empty()) return df_.stages.back();
    for (const Stage& s : df_.stages)
      if (s.name == Poco::toLower(in_.target)) return s;
    throw_usage(fmt::format("setting target: {} has no stage named '{}'", df_.file_name, in_.target));
  }

  // ARG NAME[=default] ...: a build arg overrides the default; inside a stage, a bare ARG
  // takes the global value (Docker's scoping).
  void declare_args(const Instruction& arg, std::map<std::string, std::string>& vars,
                    const std::map<std::string, std::string>& outer) {
    for (const std::string& word : arg.args) {
      const auto eq = word.find('=');
      const std::string name = word.substr(0, eq);
      if (auto given = in_.build_args.find(name); given != in_.build_args.end()) vars[name] = given->second;
      else if (eq != std::string::npos)
        vars[name] = expand(word.substr(eq + 1), vars, arg.line);
      else if (auto global = outer.find(name); global != outer.end()) vars[name] = global->second;
    }
  }

  ImageRecipe run_stage(const Stage& stage, int depth) {
    if (depth > static_cast<int>(df_.stages.size()))
      throw_usage(fmt::format("{}:{}: stages refer to each other in a loop", df_.file_name, stage.line));
    if (stage.platform) throw NativeUnsupported(fmt::format("{}:{}: FROM --platform", df_.file_name, stage.line));
    const std::string base = expand(stage.base, globals_, stage.line);
    ImageRecipe recipe;
    StageState state;
    for (const Stage& earlier : df_.stages) {
      if (earlier.index < stage.index && !earlier.name.empty() && earlier.name == Poco::toLower(base)) {
        recipe = run_stage(earlier, depth + 1);
        state.config = recipe.config;
        state.unset = recipe.unset;
        // The earlier stage's Env lists only its changes: under them is its base image's
        // (ENV PATH=/x:$PATH must see the base's PATH here too).
        if (recipe.base && base_.env)
          for (const std::string& kv : base_.env(*recipe.base))
            if (auto eq = kv.find('='); eq != std::string::npos) state.variables[kv.substr(0, eq)] = kv.substr(eq + 1);
        for (const auto& item : state.config.value("Env", oci::Json::array())) {
          const std::string kv = item.get<std::string>();
          state.variables[kv.substr(0, kv.find('='))] = kv.substr(kv.find('=') + 1);
        }
        return finish_stage(stage, std::move(recipe), std::move(state));
      }
    }
    if (Poco::toLower(base) != "scratch") {
      try {
        recipe.base = oci::Reference::parse(base);
      } catch (const Error& e) {
        throw_usage(fmt::format("{}:{}: FROM {}: {}", df_.file_name, stage.line, base, e.what()));
      }
      // The base's ENV is visible to expansion; the recipe's Env only lists changes to it.
      if (base_.env)
        for (const std::string& kv : base_.env(*recipe.base))
          if (auto eq = kv.find('='); eq != std::string::npos) state.variables[kv.substr(0, eq)] = kv.substr(eq + 1);
      tree_ = base_.tree ? base_.tree(*recipe.base) : oci::FilesystemView{};
    } else {
      // Like BuildKit and buildah, an image from scratch gets the default PATH.
      apply_env(state, {{"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}});
    }
    return finish_stage(stage, std::move(recipe), std::move(state));
  }

  ImageRecipe finish_stage(const Stage& stage, ImageRecipe recipe, StageState state) {
    const int outer_stage = current_stage_;
    current_stage_ = stage.index;
    PendingLayer pending;  // WORKDIR directories, folded into the next layer
    std::size_t last_directory_step = 0;  // the last WORKDIR or VOLUME that created a directory
    for (const Instruction& i : stage.instructions) {
      const std::size_t before = pending.size();
      execute(i, recipe, state, pending);
      if (!pending.empty() && pending.size() != before) last_directory_step = recipe.history.size();
    }
    if (!pending.empty()) {
      // No COPY followed: the directories get a layer of their own, counted on the last
      // instruction that made one.
      recipe.layers.push_back({.spec = {.entries = pending.take()},
                               .history = {.created_by = "directories", .comment = "kiln"}});
      recipe.history.at(last_directory_step - 1).empty_layer = false;
    }
    recipe.config = state.config;
    recipe.unset = state.unset;
    if (!state.author.empty()) recipe.author = state.author;
    current_stage_ = outer_stage;
    return recipe;
  }

  // An earlier stage's result, for COPY --from: interpreted once, with its own file tree (the
  // current stage's is put back afterwards).
  const ImageRecipe& stage_result(const Stage& stage) {
    if (auto it = finished_.find(stage.index); it != finished_.end()) return it->second;
    oci::FilesystemView saved = std::move(tree_);
    tree_ = {};
    ImageRecipe recipe = run_stage(stage, 1);
    tree_ = std::move(saved);
    return finished_.emplace(stage.index, std::move(recipe)).first->second;
  }

  std::vector<std::string> words(const Instruction& i, const StageState& state) const {
    return expand_words(i.args, state.variables, df_.escape, df_.file_name, i.line, &budget_);
  }

  std::vector<std::pair<std::string, std::string>> pairs(const Instruction& i, const StageState& state) const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const KeyValue& kv : key_values(i, df_.file_name))
      out.emplace_back(expand(kv.key, state.variables, i.line), expand(kv.value, state.variables, i.line));
    return out;
  }

  void execute(const Instruction& i, ImageRecipe& recipe, StageState& state, PendingLayer& pending) {
    const std::string& k = i.keyword;
    const std::string at = where(i);
    bool adds_layer = false;
    if (k == "RUN") throw NativeUnsupported(fmt::format("{}: RUN needs a container (Kaniko)", at));
    if (k == "ONBUILD") throw NativeUnsupported(fmt::format("{}: ONBUILD", at));
    if (k == "ARG") declare_args(i, state.variables, globals_);
    else if (k == "ENV") apply_env(state, pairs(i, state));
    else if (k == "LABEL") apply_label(state, pairs(i, state));
    else if (k == "USER") apply_user(state, words(i, state).at(0));
    else if (k == "EXPOSE") apply_expose(state, words(i, state), at);
    else if (k == "VOLUME") {
      const auto paths = words(i, state);
      apply_volume(state, paths);
      for (const auto& path : paths) make_directory(path, pending, at);
    }
    else if (k == "STOPSIGNAL") apply_stopsignal(state, words(i, state).at(0));
    else if (k == "SHELL") apply_shell(state, i.args);
    else if (k == "MAINTAINER") state.author = i.args.empty() ? "" : words(i, state).front();
    // CMD, ENTRYPOINT, SHELL and HEALTHCHECK are not expanded: the shell (or nothing, in the
    // JSON form) sees them as written, at run time.
    else if (k == "CMD") apply_cmd(state, i.args, i.json_form);
    else if (k == "ENTRYPOINT") apply_entrypoint(state, i.args, i.json_form);
    else if (k == "HEALTHCHECK") apply_healthcheck(state, i, i.args, at);
    else if (k == "WORKDIR") {
      apply_workdir(state, words(i, state).at(0));
      make_directory(state.working_dir(), pending, at);
    } else if (k == "COPY" || k == "ADD") {
      // Flags that change what is copied, which the native backend does not implement: taken
      // to Kaniko rather than ignored. (--link changes only how BuildKit caches the layer.)
      for (const char* flag : {"exclude", "parents", "checksum", "keep-git-dir"})
        if (i.flag(flag)) throw NativeUnsupported(fmt::format("{}: {} --{}", at, k, flag));
      CopyOptions options = copy_options(i, state, recipe, pending);
      if (i.flag("from")) {
        place(copy_from(i, state, options), options.uid, options.gid, pending, at);
      } else {
        // In the order of the sources, as Docker copies and unpacks them: which one creates a
        // missing destination decides its owner.
        LocalCopy local = copy(i, state, options);
        std::size_t placed = 0;
        auto place_copies_up_to = [&](std::size_t end) {
          place({std::make_move_iterator(local.entries.begin() + static_cast<std::ptrdiff_t>(placed)),
                 std::make_move_iterator(local.entries.begin() + static_cast<std::ptrdiff_t>(end))},
                options.uid, options.gid, pending, at);
          placed = end;
        };
        for (const ArchiveSource& archive : local.archives) {
          place_copies_up_to(archive.position);
          unpack(archive, pending, at);
        }
        place_copies_up_to(local.entries.size());
      }
      recipe.layers.push_back({.spec = {.entries = pending.take()},
                               .history = {.created_by = i.original, .comment = "kiln"}});
      adds_layer = true;
    } else {
      throw_usage(fmt::format("{}: {} is not supported", at, k));
    }
    recipe.history.push_back({.history = {.created_by = i.original, .comment = ""}, .empty_layer = !adds_layer});
  }

  CopyOptions copy_options(const Instruction& i, const StageState& state, const ImageRecipe& recipe,
                           const PendingLayer& pending) const {
    const std::string at = where(i);
    if (i.flag("from") && i.keyword == "ADD") throw_usage(fmt::format("{}: ADD does not take --from; use COPY --from", at));
    CopyOptions options;
    if (auto chown = i.flag("chown")) {
      const std::string owner = expand(*chown, state.variables, i.line);
      options.owner_given = true;
      if (const auto ids = numeric_owner(owner, at)) {
        options.uid = ids->first;
        options.gid = ids->second;
      } else if (base_.files) {
        // Names mean what the image's own files say at this point, as with BuildKit.
        std::tie(options.uid, options.gid) = resolve_owner(owner, stage_file(recipe, pending, "etc/passwd"),
                                                           stage_file(recipe, pending, "etc/group"), at);
      }  // else planning only: the owner is resolved when the build reads the image
    }
    if (auto chmod = i.flag("chmod")) {
      if (chmod->empty() || chmod->find_first_not_of("01234567") != std::string::npos || chmod->size() > 4)
        throw_usage(fmt::format("{}: --chmod={} is not an octal mode", at, *chmod));
      options.chmod = static_cast<std::uint32_t>(std::stoul(*chmod, nullptr, 8));
    }
    return options;
  }

  struct LocalCopy {
    std::vector<oci::LayerEntry> entries;
    std::vector<ArchiveSource> archives;
  };

  LocalCopy copy(const Instruction& i, const StageState& state, const CopyOptions& options) const {
    const std::string at = where(i);
    std::vector<std::string> args = words(i, state);
    if (args.size() < 2) throw_usage(fmt::format("{}: {} needs a source and a destination", at, i.keyword));
    const std::string destination = args.back();
    args.pop_back();
    const bool add = i.keyword == "ADD";
    if (add)
      for (const std::string& source : args)
        if (source.find("://") != std::string::npos || source.starts_with("git@"))
          throw NativeUnsupported(fmt::format("{}: ADD of a URL", at));
    std::vector<ArchiveSource> archives;
    std::vector<oci::LayerEntry> entries = resolve_copy(
        in_.context, in_.ignore, args, destination, state.working_dir(), options, at,
        [&](const std::string& path) {
          const auto info = tree_.stat(resolve_parents(path, at));
          return info && info->type == oci::FileInfo::Type::directory;
        },
        add ? &archives : nullptr);
    return {std::move(entries), std::move(archives)};
  }

  // ADD's archives, unpacked where Docker unpacks them: the destination made like any
  // directory (root, 0755) unless it exists; then the archive's entries with the archive's own
  // owners and modes (--chown and --chmod are not applied), also over existing directories.
  void unpack(const ArchiveSource& archive, PendingLayer& pending, const std::string& at) {
    if (in_.scratch.empty()) return;  // planning only
    place({{.type = oci::LayerEntry::Type::directory, .path = archive.destination, .mode = 0755}}, 0, 0, pending, at);
    const fs::path scratch = in_.scratch / fmt::format("archive-{}", archives_unpacked_++);
    place(unpack_archive(archive.real, archive.name, archive.destination, scratch, archive_budget_, at), 0, 0, pending,
          at, Existing::replaced);
  }

  // The content of a regular file as the stage has it now: what it copied there, else its
  // base image's. Empty when absent.
  std::string stage_file(const ImageRecipe& recipe, const PendingLayer& pending,
                         const std::string& path) const {
    // /etc/passwd or /etc/group copied from the build context, which may be hostile.
    constexpr std::size_t max_account_file_bytes = 16 << 20;
    auto content_of = [&](const oci::LayerEntry& e) {
      if (e.source.empty()) return e.content;
      return read_file(e.source, max_account_file_bytes, "/" + path + " copied from").value_or("");
    };
    if (const oci::LayerEntry* e = pending.find(path)) return e->type == oci::LayerEntry::Type::file ? content_of(*e) : "";
    for (auto layer = recipe.layers.rbegin(); layer != recipe.layers.rend(); ++layer)
      for (auto it = layer->spec.entries.rbegin(); it != layer->spec.entries.rend(); ++it)
        if (layer_path(it->path) == path) return it->type == oci::LayerEntry::Type::file ? content_of(*it) : "";
    if (!recipe.base || !base_.files) return "";
    // passwd and group are asked for together, so the base's layers are read once for both.
    const std::vector<std::string> wanted = path == "etc/passwd" || path == "etc/group"
                                                ? std::vector<std::string>{"etc/group", "etc/passwd"}
                                                : std::vector<std::string>{path};
    for (const oci::LayerEntry& e : base_.files(*recipe.base, wanted))
      if (e.path == path && e.type == oci::LayerEntry::Type::file) return content_of(e);
    return "";
  }

  // COPY --from=<stage or image>: sources are paths from the root of that stage's file tree
  // (its base image's files overlaid with what it copied), with globs; a directory's contents
  // are copied; owners are kept unless --chown says otherwise.
  std::vector<oci::LayerEntry> copy_from(const Instruction& i, const StageState& state, const CopyOptions& options) {
    const std::string at = where(i);
    const std::string from = expand(*i.flag("from"), state.variables, i.line);
    std::vector<std::string> args = words(i, state);
    if (args.size() < 2) throw_usage(fmt::format("{}: COPY needs a source and a destination", at));
    const std::string destination = args.back();
    args.pop_back();

    const ImageRecipe* source = nullptr;
    ImageRecipe image_only;
    std::string what;
    for (const Stage& s : df_.stages)
      if (s.index < current_stage_ &&
          ((!s.name.empty() && s.name == Poco::toLower(from)) || from == std::to_string(s.index))) {
        source = &stage_result(s);
        what = fmt::format("stage '{}'", from);
      }
    if (!source) {
      try {
        image_only.base = oci::Reference::parse(from);
      } catch (const Error& e) {
        throw_usage(fmt::format("{}: --from={} is neither an earlier stage nor an image: {}", at, from, e.what()));
      }
      source = &image_only;
      what = "image " + image_only.base->to_string();
    }

    // The subtrees the sources can reach: everything above the first glob.
    std::vector<std::pair<std::string, std::string>> sources;  // {as written, clean}
    std::vector<std::string> prefixes;
    for (const std::string& raw : args) {
      const std::string clean = oci::normalise_image_path(raw);
      sources.emplace_back(raw, clean);
      const auto glob = clean.find_first_of("*?[");
      std::string prefix = glob == std::string::npos ? clean : clean.substr(0, glob);
      if (glob != std::string::npos) prefix = prefix.substr(0, prefix.rfind('/') == std::string::npos ? 0 : prefix.rfind('/'));
      prefixes.push_back(prefix);
    }
    std::map<std::string, oci::LayerEntry> files;
    const bool base_unknown = source->base && !base_.files;
    if (source->base && base_.files)
      for (oci::LayerEntry& e : base_.files(*source->base, prefixes)) files[e.path] = std::move(e);
    for (const RecipeLayer& layer : source->layers)
      for (const oci::LayerEntry& e : layer.spec.entries) {
        const std::string key = oci::normalise_image_path(e.path);
        if (key.empty()) continue;
        if (e.type != oci::LayerEntry::Type::directory)
          for (auto it = files.lower_bound(key + "/"); it != files.end() && it->first.starts_with(key + "/");)
            it = files.erase(it);
        files[key] = e;
        files[key].path = key;
      }
    auto exists = [&](const std::string& p) {
      if (p.empty() || files.count(p)) return true;
      auto below = files.lower_bound(p + "/");
      return below != files.end() && below->first.starts_with(p + "/");
    };

    std::vector<std::string> matched;
    for (const auto& [raw, clean] : sources) {
      if (clean.find_first_of("*?[") != std::string::npos) {
        const std::size_t before = matched.size();
        for (const auto& [path, entry] : files)
          if (::fnmatch(clean.c_str(), path.c_str(), FNM_PATHNAME) == 0) matched.push_back(path);
        if (matched.size() == before && !base_unknown)
          throw_usage(fmt::format("{}: no file in {} matches '{}'", at, what, raw));
      } else if (exists(clean)) {
        matched.push_back(clean);
      } else if (!base_unknown) {
        throw_usage(fmt::format("{}: '{}' not found in {}", at, raw, what));
      }
    }
    if (args.size() > 1 && !destination.ends_with("/"))
      throw_usage(fmt::format("{}: with more than one source the destination must be a directory ending in '/'", at));
    const bool dest_is_dir = destination.ends_with("/") || matched.size() > 1;
    std::string dest = destination.starts_with("/") ? destination : state.working_dir() + "/" + destination;
    dest = "/" + oci::normalise_image_path(dest);

    auto adjusted = [&](oci::LayerEntry e, const std::string& path) {
      e.path = path;
      if (options.owner_given) e.uid = options.uid, e.gid = options.gid;
      if (options.chmod && e.type != oci::LayerEntry::Type::symlink) e.mode = *options.chmod;
      return e;
    };
    std::vector<oci::LayerEntry> out;
    for (const std::string& m : matched) {
      auto found = files.find(m);
      const bool directory = found == files.end() || found->second.type == oci::LayerEntry::Type::directory;
      if (directory) {
        // The directory's contents land in the destination, which takes the directory's attributes.
        oci::LayerEntry dir = found != files.end() ? found->second
                                                   : oci::LayerEntry{.type = oci::LayerEntry::Type::directory, .mode = 0755};
        out.push_back(adjusted(dir, dest));
        const std::string prefix = m.empty() ? "" : m + "/";
        for (auto it = files.lower_bound(prefix); it != files.end() && it->first.starts_with(prefix); ++it)
          out.push_back(adjusted(it->second, (dest == "/" ? "" : dest) + "/" + it->first.substr(prefix.size())));
      } else {
        const bool into = dest_is_dir || [&] {
          const auto info = tree_.stat(resolve_parents(dest, at));
          return info && info->type == oci::FileInfo::Type::directory;
        }();
        const std::string name = m.substr(m.rfind('/') == std::string::npos ? 0 : m.rfind('/') + 1);
        out.push_back(adjusted(found->second, into ? (dest == "/" ? "" : dest) + "/" + name : dest));
      }
    }
    return out;
  }

  // Follows symlinks in the directories above `path`, as a destination inside the image is
  // resolved ("/lib/x" with /lib → usr/lib writes "usr/lib/x"). The last component is not
  // followed: writing replaces it.
  std::string resolve_parents(const std::string& path, const std::string& at) const {
    std::string p = oci::normalise_image_path(path);
    for (int hops = 0; hops < 40; ++hops) {
      bool followed = false;
      for (std::size_t slash = p.find('/'); slash != std::string::npos; slash = p.find('/', slash + 1)) {
        const std::string above = p.substr(0, slash);
        const auto info = tree_.stat(above);
        if (!info || info->type != oci::FileInfo::Type::symlink) continue;
        const std::string& target = info->link_target;
        const auto up = above.rfind('/');
        const std::string from = target.starts_with("/") ? target
                                 : (up == std::string::npos ? "" : above.substr(0, up) + "/") + target;
        p = oci::normalise_image_path(from + p.substr(slash));
        followed = true;
        break;
      }
      if (!followed) return p;
    }
    throw_usage(fmt::format("{}: too many symbolic links under /{}", at, path));
  }

  // Directories above `path`: existing ones are written with their own attributes (the
  // layer writer would otherwise add them as root 0755 and, say, take /tmp's sticky bit);
  // missing ones are created 0755 with the given owner, as COPY --chown creates them.
  void add_parents(const std::string& path, std::uint32_t uid, std::uint32_t gid, PendingLayer& pending,
                   const std::string& at) {
    for (std::size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1)) {
      const std::string above = path.substr(0, slash);
      if (pending.find(above)) continue;
      if (const auto info = tree_.stat(above)) {
        if (info->type != oci::FileInfo::Type::directory)
          throw_usage(fmt::format("{}: cannot write /{}: /{} is not a directory in the image", at, path, above));
        pending.add({.type = oci::LayerEntry::Type::directory, .path = above, .mode = info->mode,
                           .uid = info->uid, .gid = info->gid});
      } else {
        pending.add({.type = oci::LayerEntry::Type::directory, .path = above, .mode = 0755, .uid = uid, .gid = gid});
        tree_.put(above, {.type = oci::FileInfo::Type::directory, .mode = 0755, .uid = uid, .gid = gid});
      }
    }
  }

  // What an entry for a directory that exists does to it: COPY leaves it as it is, an
  // unpacked archive gives it the archive's owner and mode (as tar -x does).
  enum class Existing { kept, replaced };

  // Puts entries into the pending layer where the image will have them.
  void place(std::vector<oci::LayerEntry> entries, std::uint32_t uid, std::uint32_t gid,
             PendingLayer& pending, const std::string& at, Existing existing_directories = Existing::kept) {
    for (auto& entry : entries) {
      entry.path = resolve_parents(entry.path, at);
      if (entry.path.empty()) continue;
      add_parents(entry.path, uid, gid, pending, at);
      const auto existing = tree_.stat(entry.path);
      if (entry.type == oci::LayerEntry::Type::directory && existing &&
          existing->type == oci::FileInfo::Type::directory && existing_directories == Existing::kept) {
        // Copying into a directory that exists leaves the directory as it is.
        entry.mode = existing->mode;
        entry.uid = existing->uid;
        entry.gid = existing->gid;
      }
      using T = oci::LayerEntry::Type;
      tree_.put(entry.path, {.type = entry.type == T::directory ? oci::FileInfo::Type::directory
                                     : entry.type == T::symlink ? oci::FileInfo::Type::symlink
                                                                : oci::FileInfo::Type::file,
                             .mode = entry.mode, .uid = entry.uid, .gid = entry.gid, .link_target = entry.link_target});
      pending.add(std::move(entry));
    }
  }

  // WORKDIR and VOLUME: the directory exists afterwards (buildah and Docker create it).
  void make_directory(const std::string& path, PendingLayer& pending, const std::string& at) {
    const std::string p = resolve_parents(path, at);
    if (p.empty()) return;
    if (const auto existing = tree_.stat(p)) {
      if (existing->type == oci::FileInfo::Type::directory) return;
      if (existing->type == oci::FileInfo::Type::symlink) return;  // a link to a directory serves
      throw_usage(fmt::format("{}: /{} exists in the image and is not a directory", at, p));
    }
    place({{.type = oci::LayerEntry::Type::directory, .path = p, .mode = 0755}}, 0, 0, pending, at);
  }

  const Dockerfile& df_;
  const BuildInputs& in_;
  const BaseLookup& base_;
  oci::FilesystemView tree_;
  std::map<std::string, std::string> globals_;
  std::map<int, ImageRecipe> finished_;  ///< stages COPY --from has read, by index
  int current_stage_ = 0;
  mutable ExpansionBudget budget_;
  ArchiveBudget archive_budget_ = in_.archive_budget;
  int archives_unpacked_ = 0;
};

}  // namespace

ImageRecipe interpret(const Dockerfile& dockerfile, const BuildInputs& inputs, const BaseLookup& base) {
  return Interpreter(dockerfile, inputs, base).run();
}

std::optional<std::string> native_unsupported(const Dockerfile& dockerfile, const BuildInputs& inputs) {
  try {
    interpret(dockerfile, inputs, BaseLookup{});
  } catch (const NativeUnsupported& e) {
    return std::string(e.what());
  } catch (const Error&) {
    // Bad input is reported by the build itself, whichever backend runs it.
  }
  return std::nullopt;
}

}  // namespace kiln::plugin
