package config

import (
	"runtime"
	"slices"
	"sort"
)

// The option table below follows make_schema() of Pungi 4.x (pungi/checks.py):
// every top-level option with its shape, enums and defaults. Shapes that
// Pungi names in its "definitions" are the small constructor functions.

// Enumerations Pungi takes from productmd and its own modules.
var (
	releaseTypes = []string{"fast", "ga", "updates", "updates-testing", "eus", "aus", "els", "tus", "e4s"}
	composeTypes = []string{"test", "ci", "nightly", "production"}
	runrootTypes = []string{"local", "koji", "openssh"}
	// PhaseNames are the phases Pungi knows (its PHASES_NAMES): the names
	// skip_phases, --skip-phase and --just-phase accept, together with
	// RemovedPhases. pungo implements all but weaver and live_images, which
	// are accepted and run nothing.
	PhaseNames = []string{
		"init", "weaver", "pkgset", "gather", "createrepo", "buildinstall", "extra_files",
		"createiso", "extra_isos", "live_images", "image_build", "image_container",
		"kiwibuild", "osbuild", "repoclosure", "test", "image_checksum", "live_media",
		"ostree", "ostree_installer", "ostree_container", "osbs", "imagebuilder",
	}
	// RemovedPhases are phase names Pungi still accepts, with a warning.
	RemovedPhases  = []string{"productimg"}
	gatherBackends = []string{"dnf"}
)

func typed(t ...string) *Node { return &Node{Types: t} }
func str() *Node              { return typed("string") }
func boolean() *Node          { return typed("boolean") }
func number() *Node           { return typed("number") }
func integer() *Node          { return typed("integer") }
func object() *Node           { return typed("object") }
func url() *Node              { return typed("url") }

func def(n *Node, v any) *Node {
	n.Default = v
	n.HasDefault = true
	return n
}

func enum(n *Node, vals ...string) *Node {
	for _, v := range vals {
		n.Enum = append(n.Enum, v)
	}
	return n
}

func enumInts(n *Node, vals ...int64) *Node {
	for _, v := range vals {
		n.Enum = append(n.Enum, v)
	}
	return n
}

func anyOf(alts ...*Node) *Node { return &Node{AnyOf: alts} }
func oneOf(alts ...*Node) *Node { return &Node{OneOf: alts} }

func arrayOf(item *Node) *Node { return &Node{Types: []string{"array"}, Items: item} }

// obj is an object with named properties; extra properties are rejected.
func obj(required []string, props ...Prop) *Node {
	return &Node{Types: []string{"object"}, Props: props, Required: required, NoExtraProps: true}
}

// openObj is an object with named properties that allows others.
func openObj(required []string, props ...Prop) *Node {
	return &Node{Types: []string{"object"}, Props: props, Required: required}
}

func p(name string, n *Node) Prop { return Prop{name, n} }

// dictOf is an object whose keys match pattern and whose values are v.
func dictOf(pattern string, v *Node) *Node {
	return &Node{Types: []string{"object"}, Patterns: []Prop{{pattern, v}}, NoExtraProps: true}
}

func listOfStrings() *Node    { return arrayOf(str()) }
func oneOrList(v *Node) *Node { return anyOf(v, arrayOf(v)) }
func stringsNode() *Node      { return oneOrList(str()) }
func optionalString() *Node   { return anyOf(str(), typed("null")) }

func scmDict() *Node {
	return obj(nil,
		p("scm", enum(str(), "file", "cvs", "git", "rpm", "koji")),
		p("repo", str()),
		p("branch", optionalString()),
		p("file", str()),
		p("dir", str()),
		p("command", str()),
		p("options", obj(nil, p("credential_helper", str()))),
	)
}

func strOrSCM() *Node {
	n := anyOf(str(), scmDict())
	n.scmRef = true
	return n
}

func repoDict() *Node {
	return obj([]string{"baseurl"},
		p("name", str()), p("baseurl", str()), p("exclude", str()),
		p("gpgcheck", boolean()), p("enabled", str()))
}

func repo() *Node  { return anyOf(str(), repoDict()) }
func repos() *Node { return oneOrList(repo()) }

func stringPairs() *Node {
	return arrayOf(&Node{Types: []string{"array"}, TupleItems: []*Node{str(), str()}, NoExtraItems: true})
}

func multilibList() *Node { return dictOf("^.+$", listOfStrings()) }

func packageMapping() *Node { return variantArchMapping(listOfStrings()) }

// variantArchMapping is Pungi's [(variant_regex, {arch: value})] shape.
func variantArchMapping(value *Node) *Node {
	pair := &Node{
		Types:        []string{"array"},
		TupleItems:   []*Node{typed("regex"), dictOf(".+", value)},
		NoExtraItems: true,
		MinItems:     2,
	}
	return def(arrayOf(pair), []any{})
}

func osbsConfig() *Node {
	r := repos()
	r.Append = []string{"repo_from"}
	return openObj([]string{"url", "target", "git_branch"},
		p("url", url()), p("target", str()), p("scratch", boolean()), p("priority", number()),
		p("repo", r), p("gpgkey", str()), p("git_branch", str()))
}

func deprecated(msg string) *Node { return &Node{Deprecated: msg} }

// variantDict is an object keyed by variant regexes (not validated as regexes
// by Pungi's schema; pungo checks that they compile).
func variantDict(v *Node) *Node {
	n := dictOf(".+", v)
	n.variantKeys = true
	return n
}

func makeOptions() []Option {
	ostreeDictItem := obj([]string{"treefile", "config_url", "ostree_repo"},
		p("treefile", str()), p("config_url", str()), p("repo", repos()),
		p("keep_original_sources", boolean()), p("ostree_repo", str()),
		p("arches", listOfStrings()), p("failable", listOfStrings()),
		p("update_summary", boolean()), p("force_new_commit", boolean()),
		p("unified_core", boolean()), p("version", str()), p("config_branch", str()),
		p("tag_ref", boolean()), p("ostree_ref", str()), p("runroot_packages", listOfStrings()))
	ostreeOldRepo := repos()
	ostreeOldRepo.Alias = "extra_source_repos"
	ostreeOldRepo.Append = []string{"repo_from", "source_repo_from"}
	ostreeOldItem := obj([]string{"treefile", "config_url", "ostree_repo"},
		p("treefile", str()), p("config_url", str()), p("repo", ostreeOldRepo),
		p("keep_original_sources", boolean()), p("ostree_repo", str()),
		p("failable", listOfStrings()), p("update_summary", boolean()),
		p("force_new_commit", boolean()), p("unified_core", boolean()),
		p("version", str()), p("config_branch", str()), p("tag_ref", boolean()),
		p("ostree_ref", str()))

	imageBuildRepo := repos()
	imageBuildRepo.Append = []string{"repo_from"}

	uploadOptions := anyOf(
		obj([]string{"region", "share_with_accounts"}, p("region", str()), p("snapshot_name", str()),
			p("share_with_accounts", listOfStrings())),
		obj([]string{"region"}, p("region", str())),
		obj([]string{"tenant_id", "subscription_id", "resource_group"}, p("tenant_id", str()),
			p("subscription_id", str()), p("resource_group", str()), p("location", str()),
			p("image_name", str())),
		obj([]string{"region"}, p("region", str()), p("bucket", str()), p("image_name", str()),
			p("share_with_accounts", listOfStrings())),
		obj(nil, p("name", str()), p("tag", str())),
	)
	osbuildRepoItem := oneOf(
		obj([]string{"baseurl"}, p("baseurl", str()), p("package_sets", listOfStrings())),
		str(),
	)
	imageTypes := oneOf(&Node{Types: []string{"array"}, Items: str(), MinItems: 1, MaxItems: 1}, str())

	opts := []Option{
		{Name: "release_name", Node: str()},
		{Name: "release_short", Node: str()},
		{Name: "release_version", Node: str()},
		{Name: "release_type", Node: def(enum(str(), releaseTypes...), "ga")},
		{Name: "release_is_layered", Node: deprecated("remove it. It's layered if there's configuration for base product")},
		{Name: "release_internal", Node: def(boolean(), false)},
		{Name: "release_discinfo_description", Node: str()},
		{Name: "treeinfo_version", Node: str()},
		{Name: "compose_type", Node: enum(str(), composeTypes...)},
		{Name: "base_product_name", Node: str()},
		{Name: "base_product_short", Node: str()},
		{Name: "base_product_version", Node: str()},
		{Name: "base_product_type", Node: def(str(), "ga")},
		{Name: "runroot", Node: deprecated("remove it. Please specify 'runroot_method' if you want to enable runroot, otherwise run things locally")},
		{Name: "global_runroot_method", Node: enum(str(), runrootTypes...)},
		{Name: "runroot_method", Node: oneOf(
			enum(str(), runrootTypes...),
			obj(nil,
				p("buildinstall", enum(str(), runrootTypes...)),
				p("ostree_installer", enum(str(), runrootTypes...)),
				p("ostree", enum(str(), runrootTypes...)),
				p("createiso", enum(str(), runrootTypes...))),
		)},
		{Name: "runroot_ssh_username", Node: def(str(), "root")},
		{Name: "runroot_ssh_hostnames", Node: def(object(), map[string]any{})},
		{Name: "runroot_ssh_init_template", Node: str()},
		{Name: "runroot_ssh_install_packages_template", Node: str()},
		{Name: "runroot_ssh_run_template", Node: str()},
		{Name: "create_jigdo", Node: def(boolean(), false)},
		{Name: "check_deps", Node: def(boolean(), true)},
		{Name: "require_all_comps_packages", Node: def(boolean(), false)},
		{Name: "bootable", Node: deprecated("remove it. Setting buildinstall_method option if you want a bootable installer")},
		{Name: "gather_method", Node: oneOf(
			variantDict(oneOf(
				enum(str(), "hybrid"),
				&Node{Types: []string{"object"}, Patterns: []Prop{{"^module|comps|json$", enum(str(), "deps", "nodeps")}}},
			)),
			enum(str(), "deps", "nodeps", "hybrid"),
		)},
		{Name: "gather_source", Node: deprecated("remove it")},
		{Name: "gather_fulltree", Node: def(boolean(), false)},
		{Name: "gather_selfhosting", Node: def(boolean(), false)},
		{Name: "gather_prepopulate", Node: strOrSCM()},
		{Name: "gather_source_mapping", Node: str()},
		{Name: "gather_backend", Node: def(enum(str(), gatherBackends...), "dnf")},
		{Name: "gather_profiler", Node: def(boolean(), false)},
		{Name: "gather_allow_reuse", Node: def(boolean(), false)},
		{Name: "pkgset_allow_reuse", Node: def(boolean(), true)},
		{Name: "createiso_allow_reuse", Node: def(boolean(), true)},
		{Name: "extraiso_allow_reuse", Node: def(boolean(), true)},
		{Name: "pkgset_source", Node: enum(str(), "koji", "repos")},
		{Name: "createrepo_c", Node: def(boolean(), true)},
		{Name: "createrepo_checksum", Node: def(enum(str(), "sha1", "sha256", "sha512"), "sha256")},
		{Name: "createrepo_enable_cache", Node: def(boolean(), true)},
		{Name: "createrepo_use_xz", Node: def(boolean(), false)},
		{Name: "createrepo_num_threads", Node: def(number(), int64(runtime.NumCPU()))},
		{Name: "createrepo_num_workers", Node: def(number(), int64(3))},
		{Name: "createrepo_database", Node: boolean()},
		{Name: "createrepo_extra_args", Node: def(listOfStrings(), []any{})},
		{Name: "createrepo_extra_modulemd", Node: openPatterns(dictOf(".+", scmDict()))},
		{Name: "repoclosure_strictness", Node: variantArchMapping(def(enum(str(), "off", "lenient", "fatal"), "lenient"))},
		{Name: "repoclosure_backend", Node: def(enum(str(), gatherBackends...), "dnf")},
		{Name: "old_composes_per_release_type", Node: deprecated("remove it. It is the default behavior now")},
		{Name: "hashed_directories", Node: def(boolean(), false)},
		{Name: "multilib_whitelist", Node: def(multilibList(), map[string]any{})},
		{Name: "multilib_blacklist", Node: def(multilibList(), map[string]any{})},
		{Name: "greedy_method", Node: def(enum(str(), "none", "all", "build"), "none")},
		{Name: "additional_packages", Node: packageMapping()},
		{Name: "filter_packages", Node: packageMapping()},
		{Name: "filter_modules", Node: packageMapping()},
		{Name: "sigkeys", Node: def(&Node{Types: []string{"array"}, Items: optionalString(), MinItems: 1}, []any{nil})},
		{Name: "signed_packages_retries", Node: def(number(), int64(0))},
		{Name: "signed_packages_wait", Node: def(number(), int64(30))},
		{Name: "variants_file", Node: strOrSCM()},
		{Name: "comps_file", Node: strOrSCM()},
		{Name: "comps_filter_environments", Node: def(boolean(), true)},
		{Name: "module_defaults_dir", Node: strOrSCM()},
		{Name: "module_defaults_override_dir", Node: str()},
		{Name: "pkgset_repos", Node: dictOf(".+", stringsNode())},
		// pungo's own (not in Pungi's schema): local directories outside a
		// pkgset_repos repository that its xml:base may point into (paths
		// relative to the config file); see README, Differences from Pungi.
		{Name: "pkgset_repos_allowed_roots", Node: stringsNode()},
		{Name: "module_obsoletes_dir", Node: strOrSCM()},
		{Name: "create_optional_isos", Node: def(boolean(), false)},
		{Name: "symlink_isos_to", Node: str()},
		{Name: "dogpile_cache_backend", Node: str()},
		{Name: "dogpile_cache_expiration_time", Node: number()},
		{Name: "dogpile_cache_arguments", Node: def(object(), map[string]any{})},
		{Name: "createiso_skip", Node: variantArchMapping(boolean())},
		{Name: "createiso_max_size", Node: variantArchMapping(number())},
		{Name: "createiso_max_size_is_strict", Node: variantArchMapping(def(boolean(), false))},
		{Name: "createiso_break_hardlinks", Node: def(boolean(), false)},
		{Name: "createiso_use_xorrisofs", Node: def(boolean(), false)},
		{Name: "iso_level", Node: anyOf(
			enumInts(number(), 1, 2, 3, 4),
			noDefault(variantArchMapping(enumInts(number(), 1, 2, 3, 4))),
		)},
		{Name: "iso_hfs_ppc64le_compatible", Node: def(boolean(), true)},
		{Name: "multilib", Node: variantArchMapping(listOfStrings())},
		{Name: "runroot_tag", Node: str()},
		{Name: "runroot_channel", Node: optionalString()},
		{Name: "runroot_weights", Node: def(obj(nil,
			p("buildinstall", number()), p("createiso", number()),
			p("ostree", number()), p("ostree_installer", number())), map[string]any{})},
		{Name: "createrepo_deltas", Node: anyOf(
			def(boolean(), false),
			noDefault(variantArchMapping(boolean())),
		)},
		{Name: "buildinstall_allow_reuse", Node: def(boolean(), false)},
		{Name: "buildinstall_method", Node: enum(str(), "lorax")},
		{Name: "buildinstall_topdir", Node: str()},
		{Name: "buildinstall_kickstart", Node: strOrSCM()},
		{Name: "buildinstall_use_guestmount", Node: def(boolean(), true)},
		{Name: "buildinstall_skip", Node: variantArchMapping(boolean())},
		{Name: "buildinstall_packages", Node: packageMapping()},
		{Name: "global_ksurl", Node: url()},
		{Name: "global_version", Node: str()},
		{Name: "global_target", Node: str()},
		{Name: "global_release", Node: optionalString()},
		{Name: "pdc_url", Node: deprecated("Koji is queried instead")},
		{Name: "pdc_develop", Node: deprecated("Koji is queried instead")},
		{Name: "pdc_insecure", Node: deprecated("Koji is queried instead")},
		{Name: "cts_url", Node: str()},
		{Name: "cts_keytab", Node: str()},
		{Name: "cts_oidc_token_url", Node: url()},
		{Name: "cts_oidc_client_id", Node: str()},
		{Name: "koji_profile", Node: str()},
		{Name: "koji_event", Node: number()},
		{Name: "koji_cache", Node: str()},
		{Name: "pkgset_koji_tag", Node: stringsNode()},
		{Name: "pkgset_koji_builds", Node: stringsNode()},
		{Name: "pkgset_koji_scratch_tasks", Node: stringsNode()},
		{Name: "pkgset_koji_module_tag", Node: def(stringsNode(), []any{})},
		{Name: "pkgset_koji_module_builds", Node: dictOf("^.+$", listOfStrings())},
		{Name: "pkgset_koji_inherit", Node: def(boolean(), true)},
		{Name: "pkgset_koji_inherit_modules", Node: def(boolean(), false)},
		{Name: "pkgset_exclusive_arch_considers_noarch", Node: def(boolean(), true)},
		{Name: "pkgset_inherit_exclusive_arch_to_noarch", Node: def(boolean(), true)},
		{Name: "pkgset_scratch_modules", Node: dictOf("^.+$", listOfStrings())},
		{Name: "mbs_api_url", Node: str()},
		{Name: "disc_types", Node: def(object(), map[string]any{})},
		{Name: "paths_module", Node: str()},
		{Name: "skip_phases", Node: def(arrayOf(enum(str(), append(slices.Clone(PhaseNames), RemovedPhases...)...)), []any{})},
		{Name: "image_name_format", Node: oneOf(str(), variantDict(oneOrList(str())))},
		{Name: "image_volid_formats", Node: def(listOfStrings(), []any{
			"{release_short}-{version} {variant}.{arch}",
			"{release_short}-{version} {arch}",
		})},
		{Name: "image_volid_layered_product_formats", Node: def(listOfStrings(), []any{
			"{release_short}-{version} {base_product_short}-{base_product_version} {variant}.{arch}",
			"{release_short}-{version} {base_product_short}-{base_product_version} {arch}",
		})},
		{Name: "restricted_volid", Node: def(boolean(), false)},
		{Name: "volume_id_substitutions", Node: def(object(), map[string]any{})},
		{Name: "image_build_ksurl", Node: url()},
		{Name: "image_build_target", Node: str()},
		{Name: "image_build_release", Node: optionalString()},
		{Name: "image_build_version", Node: str()},
		{Name: "live_media_ksurl", Node: url()},
		{Name: "live_media_target", Node: str()},
		{Name: "live_media_release", Node: optionalString()},
		{Name: "live_media_version", Node: str()},
		{Name: "media_checksums", Node: def(listOfStrings(), []any{"md5", "sha1", "sha256"})},
		{Name: "media_checksum_one_file", Node: def(boolean(), false)},
		{Name: "media_checksum_base_filename", Node: def(str(), "")},
		{Name: "filter_system_release_packages", Node: def(boolean(), true)},
		{Name: "keep_original_comps", Node: deprecated("remove <groups> tag from respective variant in variants XML")},
		{Name: "link_type", Node: def(enum(str(), "hardlink", "copy", "hardlink-or-copy", "symlink", "abspath-symlink"), "hardlink-or-copy")},
		{Name: "product_id", Node: strOrSCM()},
		{Name: "product_id_allow_missing", Node: def(boolean(), false)},
		{Name: "product_id_allow_name_prefix", Node: def(boolean(), true)},
		{Name: "tree_arches", Node: def(listOfStrings(), []any{})},
		{Name: "tree_variants", Node: def(listOfStrings(), []any{})},
		{Name: "translate_paths", Node: def(stringPairs(), []any{})},
		{Name: "failable_deliverables", Node: variantArchMapping(listOfStrings())},
		{Name: "extra_isos", Node: openPatterns(variantDict(arrayOf(obj([]string{"include_variants"},
			p("include_variants", stringsNode()),
			p("extra_files", oneOrList(obj(nil,
				p("scm", str()), p("repo", str()), p("branch", optionalString()),
				p("file", stringsNode()), p("dir", stringsNode()), p("target", str())))),
			p("filename", str()),
			p("volid", stringsNode()),
			p("arches", listOfStrings()),
			p("failable_arches", listOfStrings()),
			p("skip_src", def(boolean(), false)),
			p("inherit_extra_files", def(boolean(), false)),
			p("max_size", number()),
		))))},
		{Name: "live_media", Node: variantDict(arrayOf(obj([]string{"name", "kickstart"},
			p("install_tree_from", str()), p("kickstart", str()), p("ksversion", str()),
			p("ksurl", url()), p("version", str()), p("scratch", boolean()),
			p("skip_tag", boolean()), p("name", str()), p("subvariant", str()),
			p("repo", repos()), p("target", str()), p("arches", listOfStrings()),
			p("failable", listOfStrings()), p("release", optionalString()),
			p("nomacboot", boolean()),
		)))},
		{Name: "ostree", Node: anyOf(
			variantDict(oneOrList(ostreeDictItem)),
			noDefault(variantArchMapping(ostreeOldItem)),
		)},
		{Name: "ostree_container", Node: variantDict(oneOrList(obj([]string{"treefile", "config_url"},
			p("treefile", str()), p("config_url", str()), p("repo", repos()),
			p("keep_original_sources", boolean()), p("config_branch", str()),
			p("arches", listOfStrings()), p("failable", listOfStrings()),
			p("version", str()), p("tag_ref", boolean()), p("runroot_packages", listOfStrings()),
		)))},
		{Name: "ostree_installer", Node: variantArchMapping(obj(nil,
			p("repo", repos()), p("release", optionalString()), p("failable", listOfStrings()),
			p("installpkgs", listOfStrings()), p("add_template", listOfStrings()),
			p("add_arch_template", listOfStrings()), p("add_template_var", listOfStrings()),
			p("add_arch_template_var", listOfStrings()), p("rootfs_size", str()),
			p("template_repo", str()), p("template_branch", str()),
			p("extra_runroot_pkgs", listOfStrings()), p("skip_branding", boolean()),
		))},
		{Name: "ostree_use_koji_plugin", Node: def(boolean(), false)},
		{Name: "ostree_container_use_koji_plugin", Node: def(boolean(), false)},
		{Name: "ostree_installer_use_koji_plugin", Node: def(boolean(), false)},
		{Name: "ostree_installer_overwrite", Node: def(boolean(), false)},
		{Name: "image_build_allow_reuse", Node: def(boolean(), false)},
		{Name: "image_build", Node: variantDict(arrayOf(obj([]string{"image-build"},
			p("image-build", openObj(nil,
				p("failable", listOfStrings()), p("disc_size", number()), p("distro", str()),
				p("name", str()), p("kickstart", str()), p("ksurl", url()),
				p("arches", listOfStrings()), p("repo", imageBuildRepo),
				p("install_tree_from", str()), p("subvariant", str()),
				p("format", anyOf(stringPairs(), stringsNode())),
			)),
			p("factory-parameters", object()),
		)))},
		// kiwibuild as current upstream Pungi has it: the per-image
		// type, type_attr, bundle_name_format, version, repo_releasever
		// and manifest_type, each (but manifest_type) also settable
		// phase-wide as kiwibuild_<key>.
		{Name: "kiwibuild", Node: variantDict(arrayOf(obj([]string{"kiwi_profile"},
			p("target", str()), p("description_scm", url()), p("description_path", str()),
			p("kiwi_profile", str()), p("release", str()), p("arches", listOfStrings()),
			p("repos", listOfStrings()), p("failable", listOfStrings()), p("subvariant", str()),
			p("type", str()), p("type_attr", listOfStrings()), p("bundle_name_format", str()),
			p("version", str()), p("repo_releasever", str()), p("manifest_type", str()),
		)))},
		{Name: "kiwibuild_description_scm", Node: url()},
		{Name: "kiwibuild_description_path", Node: str()},
		{Name: "kiwibuild_target", Node: str()},
		{Name: "kiwibuild_release", Node: optionalString()},
		{Name: "kiwibuild_type", Node: str()},
		{Name: "kiwibuild_type_attr", Node: listOfStrings()},
		{Name: "kiwibuild_bundle_name_format", Node: str()},
		{Name: "kiwibuild_bundle_format", Node: str()},
		{Name: "kiwibuild_version", Node: str()},
		{Name: "kiwibuild_repo_releasever", Node: str()},
		{Name: "osbuild_target", Node: str()},
		{Name: "osbuild_release", Node: optionalString()},
		{Name: "osbuild_version", Node: str()},
		{Name: "osbuild", Node: openPatterns(variantDict(arrayOf(obj([]string{"name", "distro", "image_types"},
			p("name", str()), p("version", str()), p("distro", str()), p("target", str()),
			p("image_types", imageTypes), p("arches", listOfStrings()), p("release", str()),
			p("repo", arrayOf(osbuildRepoItem)), p("failable", listOfStrings()),
			p("subvariant", str()), p("ostree_url", str()), p("ostree_ref", str()),
			p("ostree_parent", str()), p("manifest_type", str()),
			p("customizations", object()), p("upload_options", uploadOptions),
		))))},
		// The imagebuilder phase of current upstream Pungi (Koji's
		// image-builder plugin); its shape follows what the phase reads
		// (per-image keys, then imagebuilder_* and global_* fallbacks).
		{Name: "imagebuilder", Node: variantDict(arrayOf(obj([]string{"name"},
			p("name", str()), p("target", str()), p("types", listOfStrings()),
			p("release", optionalString()), p("version", str()), p("seed", integer()),
			p("scratch", boolean()), p("arches", listOfStrings()), p("repos", listOfStrings()),
			p("failable", listOfStrings()), p("subvariant", str()), p("manifest_type", str()),
			p("ostree", object()), p("blueprint", object()),
		)))},
		{Name: "imagebuilder_target", Node: str()},
		{Name: "imagebuilder_release", Node: optionalString()},
		{Name: "imagebuilder_version", Node: str()},
		{Name: "imagebuilder_types", Node: listOfStrings()},
		{Name: "imagebuilder_seed", Node: integer()},
		{Name: "imagebuilder_scratch", Node: boolean()},
		{Name: "lorax_options", Node: variantArchMapping(obj(nil,
			p("bugurl", str()), p("nomacboot", boolean()), p("noupgrade", boolean()),
			p("add_template", listOfStrings()), p("add_arch_template", listOfStrings()),
			p("add_template_var", listOfStrings()), p("add_arch_template_var", listOfStrings()),
			p("rootfs_size", integer()), p("version", str()), p("dracut_args", listOfStrings()),
			p("skip_branding", boolean()), p("squashfs_only", boolean()),
			p("configuration_file", strOrSCM()), p("rootfs_type", str()),
		))},
		{Name: "lorax_extra_sources", Node: variantArchMapping(stringsNode())},
		{Name: "lorax_use_koji_plugin", Node: def(boolean(), false)},
		{Name: "productimg", Node: deprecated("remove it. Productimg phase has been removed")},
		{Name: "iso_size", Node: def(anyOf(str(), number()), int64(4700000000))},
		{Name: "split_iso_reserve", Node: def(anyOf(str(), number()), int64(10*1024*1024))},
		{Name: "osbs_allow_reuse", Node: def(boolean(), false)},
		{Name: "osbs", Node: variantDict(oneOrList(osbsConfig()))},
		{Name: "osbs_registries", Node: dictOf(".+", &Node{})},
		{Name: "image_container", Node: variantDict(oneOrList(openObj([]string{"url", "target", "git_branch", "image_spec"},
			p("url", url()), p("target", str()), p("priority", number()),
			p("failable", boolean()), p("git_branch", str()), p("image_spec", object()),
		)))},
		{Name: "extra_files", Node: variantArchMapping(arrayOf(obj(nil,
			p("scm", str()), p("repo", str()), p("branch", optionalString()),
			p("file", stringsNode()), p("dir", str()), p("target", str()),
		)))},
		{Name: "gather_lookaside_repos", Node: variantArchMapping(stringsNode())},
		{Name: "variant_as_lookaside", Node: arrayOf(&Node{Types: []string{"array"},
			TupleItems: []*Node{str(), str()}, MinItems: 2, MaxItems: 2})},
	}
	sort.Slice(opts, func(i, j int) bool { return opts[i].Name < opts[j].Name })
	return opts
}

// noDefault drops the default of a mapping used inside anyOf, where Pungi's
// validator does not apply it.
func noDefault(n *Node) *Node {
	n.Default, n.HasDefault = nil, false
	return n
}

// openPatterns keeps a pattern-keyed object but lets keys that match no
// pattern through, as Pungi's schema does for extra_isos and osbuild (no
// additionalProperties there).
func openPatterns(n *Node) *Node {
	n.NoExtraProps = false
	return n
}

// requiredOptions are the options every config must set.
var requiredOptions = []string{"release_name", "release_short", "release_version", "variants_file", "pkgset_source", "gather_method"}

var (
	optionList  = makeOptions()
	optionIndex = func() map[string]*Option {
		m := map[string]*Option{}
		for i := range optionList {
			m[optionList[i].Name] = &optionList[i]
		}
		return m
	}()
)

// Options returns Pungi's top-level options sorted by name.
func Options() []Option { return optionList }

// LookupOption returns the schema of a top-level option.
func LookupOption(name string) (*Option, bool) {
	o, ok := optionIndex[name]
	return o, ok
}
