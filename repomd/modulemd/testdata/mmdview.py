"""Print libmodulemd's view of a modules.yaml as JSON (the test oracle).

Reads the file strictly (unknown keys and invalid documents fail) and prints
streams (NSVCA, artifacts, profiles) and defaults (stream, profiles).
"""
import json
import sys

import gi

gi.require_version("Modulemd", "2.0")
from gi.repository import Modulemd  # noqa: E402

index = Modulemd.ModuleIndex.new()
ok, failures = index.update_from_file(sys.argv[1], True)
if not ok or failures:
    for f in failures or []:
        print(f.get_gerror().message, file=sys.stderr)
    sys.exit("libmodulemd refused %s" % sys.argv[1])

streams, defaults = [], {}
for name in index.get_module_names():
    module = index.get_module(name)
    for s in module.get_all_streams():
        profiles = {}
        for p in s.get_profile_names():
            profiles[p] = sorted(s.get_profile(p).get_rpms())
        streams.append({
            "nsvca": s.get_NSVCA(),
            "artifacts": sorted(s.get_rpm_artifacts()),
            "profiles": profiles,
        })
    d = module.get_defaults()
    if d is not None:
        prof = {}
        for st in d.get_streams_with_default_profiles(None):
            prof[st] = sorted(d.get_default_profiles_for_stream(st, None))
        defaults[name] = {"stream": d.get_default_stream(None) or "", "profiles": prof}
streams.sort(key=lambda s: s["nsvca"])
print(json.dumps({"streams": streams, "defaults": defaults}, sort_keys=True))
