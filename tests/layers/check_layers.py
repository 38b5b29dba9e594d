#!/usr/bin/env python3
"""Fails when an include or a link points up or sideways against the layer list, or when a
folder of src/broker/ or src/laptop/ disagrees with the broker-only and laptop lines.

usage: check_layers.py <source dir> <build dir>/layer_graph.txt

The layer list is the ```layers block of docs/architecture.md. The link edges come from
layer_graph.txt (written by cmake/LayerGraph.cmake at configure time); the include edges from
scanning each target's sources, the headers next to them and its public headers for
#include "da/<component>/...", the component being the owner of that header folder.
"""
import fnmatch
import os
import re
import sys
from collections import defaultdict, deque

# The folders whose subfolders are modules: DA_MODULE_ROOTS of cmake/Modules.cmake (read in main).
MODULE_ROOTS = []
HEADER_ROOTS = ["src/include/da", "webapp/include/da"]
# Header folders owned by another component than their name says.
HEADER_OWNERS = {"module": "cli"}
# Targets that are the binary, not a component.
APP_TARGETS = {"da": "app", "da_modules": "app"}
UNCHECKED_FOLDERS = ["tests", "bench"]
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')


# Each owner's tables (cmake/StateSchema.cmake): compiled into da_store, owned by their folder.
STATE_SCHEMA_SOURCE = "state_schema.cpp"


class Layers:
    def __init__(self, doc_path):
        self.layer = {}  # component name or folder pattern -> layer number
        self.laptop = []
        self.broker_only = set()
        self.exceptions = {}  # (from, to) -> reason
        self.doc_path = doc_path
        text = open(doc_path, encoding="utf-8").read()
        block = re.search(r"^```layers\n(.*?)^```", text, re.S | re.M)
        if not block:
            sys.exit(f"{doc_path}: no ```layers block")
        for number, line in enumerate(block.group(1).splitlines()):
            words = line.split()
            if not words:
                continue
            head = words[0]
            if re.fullmatch(r"layer", head) and len(words) > 2 and words[1].endswith(":"):
                level = int(words[1][:-1])
                for name in words[2:]:
                    self.layer[name] = level
            elif head == "laptop:":
                self.laptop = words[1:]
            elif head == "broker-only:":
                self.broker_only = set(words[1:])
            elif head == "exception:" and len(words) >= 4 and words[2] == "->":
                self.exceptions[(words[1], words[3])] = " ".join(words[4:])
            else:
                sys.exit(f"{doc_path}: cannot read layers line '{line}'")

    def of(self, component):
        if component in self.layer:
            return self.layer[component]
        for pattern, level in self.layer.items():
            if "*" in pattern and fnmatch.fnmatchcase(component, pattern):
                return level
        return None


def read_graph(path):
    targets, sources, links = {}, defaultdict(list), defaultdict(list)
    for line in open(path, encoding="utf-8"):
        kind, name, value = line.rstrip("\n").split(" ", 2)
        if kind == "target":
            targets[name] = value
        elif kind == "source":
            sources[name].append(value)
        elif kind == "link" and value not in links[name]:
            links[name].append(value)
    return targets, sources, links


def read_module_roots(root):
    text = open(os.path.join(root, "cmake", "Modules.cmake")).read()
    found = re.search(r"^set\(DA_MODULE_ROOTS\s+([^)]*)\)", text, re.M)
    if not found:
        sys.exit("cmake/Modules.cmake: no set(DA_MODULE_ROOTS ...): the layer check needs it")
    return found.group(1).split()


def main():
    root = os.path.realpath(sys.argv[1])
    MODULE_ROOTS[:] = read_module_roots(root)
    graph_path = sys.argv[2]
    layers = Layers(os.path.join(root, "docs/architecture.md"))
    targets, sources, links = read_graph(graph_path)
    problems = []
    used_exceptions = set()

    def rel(path):
        return os.path.relpath(os.path.realpath(path), root)

    def allowed(a, b):
        if (a, b) in layers.exceptions:
            used_exceptions.add((a, b))
            return True
        return layers.of(b) < layers.of(a)

    def folder_owner(path):
        parts = path.split("/")
        if parts[0] == "src":
            return parts[2] if parts[1] in ("broker", "laptop") else parts[1]
        return "/".join(parts[:2])

    # Which component each target is.
    component_of = {}
    for target, folder in targets.items():
        folder = rel(folder)
        if target in APP_TARGETS:
            component_of[target] = APP_TARGETS[target]
        elif target.startswith("da_") and layers.of(target[3:]) is not None and "*" not in target:
            component_of[target] = target[3:]
        elif any(fnmatch.fnmatchcase(folder, root_ + "/*") for root_ in MODULE_ROOTS):
            component_of[target] = folder
        elif not any(folder == f or folder.startswith(f + "/") for f in UNCHECKED_FOLDERS):
            problems.append(f"target {target} ({folder}): not in the layer list of docs/architecture.md")

    # Who owns each header folder da/<name>/.
    owner_of = {}
    for header_root in HEADER_ROOTS:
        for name in os.listdir(os.path.join(root, header_root)):
            if os.path.isdir(os.path.join(root, header_root, name)):
                owner_of[name] = HEADER_OWNERS.get(name, name)

    # The files of each component: sources, headers beside them, public headers.
    files = defaultdict(set)
    for target, component in component_of.items():
        folders = set()
        for source in sources[target]:
            path = source if os.path.isabs(source) else os.path.join(targets[target], source)
            path = os.path.realpath(path)
            if not path.startswith(root + os.sep) or rel(path).startswith("build"):
                continue
            if target == "da_store" and os.path.basename(path) == STATE_SCHEMA_SOURCE:
                # Compiled into the store (every process opens every table) but owned, like
                # any file, by the component of its folder: its includes count as that owner's.
                files[folder_owner(rel(path))].add(path)
                continue
            files[component].add(path)
            folders.add(os.path.dirname(path))
        for header_root in HEADER_ROOTS:
            for name, owner in owner_of.items():
                if owner == component:
                    folders.add(os.path.join(root, header_root, name))
        for folder in folders:
            if os.path.isdir(folder):
                for name in os.listdir(folder):
                    if name.endswith((".hpp", ".h", ".cpp")):
                        files[component].add(os.path.join(folder, name))

    include_edges = defaultdict(set)
    checked_includes = 0
    for component, paths in files.items():
        is_module = any(fnmatch.fnmatchcase(component, r + "/*") for r in MODULE_ROOTS)
        for path in sorted(paths):
            with open(path, encoding="utf-8", errors="replace") as f:
                for number, line in enumerate(f, 1):
                    match = INCLUDE.match(line)
                    if not match:
                        continue
                    header = match.group(1)
                    where = f"{rel(path)}:{number}"
                    parts = header.split("/")
                    if parts[0] == "da" and len(parts) > 2:
                        checked_includes += 1
                        owner = owner_of.get(parts[1])
                        if owner is None:
                            problems.append(f'{where}: "{header}" is in no known component')
                        elif owner != component:
                            include_edges[component].add(owner)
                            if layers.of(owner) is None:
                                problems.append(f'{where}: "{header}" belongs to {owner}, '
                                                "which is not in the layer list")
                            elif not allowed(component, owner):
                                problems.append(
                                    f'{where}: {component} (layer {layers.of(component)}) includes '
                                    f'"{header}" of {owner} (layer {layers.of(owner)}): '
                                    f'points {"sideways" if layers.of(owner) == layers.of(component) else "up"}')
                    elif is_module and len(parts) > 1:
                        if os.path.exists(os.path.join(os.path.dirname(path), header)):
                            continue
                        for module_root in MODULE_ROOTS:
                            other = f"{module_root}/{parts[0]}"
                            if other != component and os.path.isfile(os.path.join(root, module_root, header)):
                                problems.append(f'{where}: module {component} includes "{header}" '
                                                f"of module {other}: a module never uses another module")

    link_edges = defaultdict(set)
    for target, deps in links.items():
        a = component_of.get(target)
        if a is None:
            continue
        for dep in deps:
            b = component_of.get(dep)
            if b is None or b == a:
                continue
            link_edges[a].add(b)
            if not allowed(a, b):
                problems.append(
                    f"link {target} -> {dep}: {a} (layer {layers.of(a)}) links {b} (layer {layers.of(b)}): "
                    f'points {"sideways" if layers.of(a) == layers.of(b) else "up"}')

    # Folders say where code runs: src/broker/<c> is broker-only, src/laptop/<c> and
    # src/laptop/commands/<name> are on the laptop line, and nothing broker-only stays in src/.
    for side, line, names in (("broker", "broker-only", layers.broker_only),
                              ("laptop", "laptop", set(layers.laptop))):
        for base in (f"src/{side}", f"src/{side}/commands"):
            if not os.path.isdir(os.path.join(root, base)):
                continue
            for name in sorted(os.listdir(os.path.join(root, base))):
                if name == "commands" or not os.path.isdir(os.path.join(root, base, name)):
                    continue
                entry = name if base == f"src/{side}" else f"{base}/{name}"
                if base == f"src/{side}" and entry not in names:
                    problems.append(f"{base}/{name}: not on the {line} line of docs/architecture.md")
                if side == "laptop" and base.endswith("commands") and entry not in names:
                    problems.append(f"{entry}: not on the laptop line of docs/architecture.md")
    for name in sorted(layers.broker_only):
        if os.path.isdir(os.path.join(root, "src", name)):
            problems.append(f"src/{name}: broker-only, so its folder is src/broker/{name}")
    for entry in layers.laptop:
        if entry.startswith("src/broker/"):
            problems.append(f"{entry}: on the laptop line, so it is not in src/broker/")

    # The laptop side: its link closure and its own includes reach nothing broker-only.
    for start in layers.laptop:
        parent = {start: None}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            nexts = set(link_edges.get(node, ()))
            if node == start:
                nexts |= include_edges.get(node, set())
            for nxt in sorted(nexts):
                if nxt in parent or (node, nxt) in layers.exceptions:
                    continue
                parent[nxt] = node
                if nxt in layers.broker_only:
                    chain, at = [], nxt
                    while at is not None:
                        chain.append(at)
                        at = parent[at]
                    problems.append(f"laptop: {' -> '.join(reversed(chain))}: {nxt} runs only on the broker")
                else:
                    queue.append(nxt)

    for edge, reason in layers.exceptions.items():
        if edge not in used_exceptions:
            print(f"note: exception {edge[0]} -> {edge[1]} ({reason}) matches nothing any more; "
                  "delete it from docs/architecture.md")
    if problems:
        for problem in problems:
            print(problem)
        print(f"{len(problems)} dependencies break the layers of docs/architecture.md")
        return 1
    print(f"layers: {len(component_of)} targets, {sum(len(v) for v in files.values())} files, "
          f"{checked_includes} includes and {sum(len(v) for v in links.values())} links point down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
