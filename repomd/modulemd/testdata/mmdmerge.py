"""Merge modules.yaml files with libmodulemd's ModuleIndexMerger (the oracle
for pungo's Merger) and print the merged defaults as JSON, or ERROR.

Arguments: [--strict] PRIORITY:FILE ...
"""
import json
import sys

import gi

gi.require_version("Modulemd", "2.0")
from gi.repository import GLib, Modulemd  # noqa: E402

args = sys.argv[1:]
strict = False
if args and args[0] == "--strict":
    strict, args = True, args[1:]
merger = Modulemd.ModuleIndexMerger.new()
for arg in args:
    prio, path = arg.split(":", 1)
    index = Modulemd.ModuleIndex.new()
    ok, failures = index.update_from_file(path, True)
    if not ok:
        sys.exit("cannot read %s" % path)
    merger.associate_index(index, int(prio))
try:
    merged = merger.resolve_ext(strict)
except GLib.Error:
    print("ERROR")
    sys.exit(0)
out = {}
for name in merged.get_module_names():
    d = merged.get_module(name).get_defaults()
    if d is None:
        continue
    prof = {}
    for st in d.get_streams_with_default_profiles(None):
        prof[st] = sorted(d.get_default_profiles_for_stream(st, None))
    out[name] = {"stream": d.get_default_stream(None) or "", "profiles": prof,
                 "modified": d.get_modified()}
print(json.dumps(out, sort_keys=True))
