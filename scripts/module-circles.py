#!/usr/bin/env python3
"""Finds module circles in each crate's src/ folder given: module A uses module B when A's code (comments and test-only
modules left out) names a `crate::b` path, or `super::` in a child. A module and its own child files count as one.
Prints each crate's circles (strongly connected components) and exits 1 if there is any.

Usage: scripts/module-circles.py [SRC_DIR ...]  (default: every crate's src/; SHOW=1 also prints every edge)"""
import os, re, sys
from collections import defaultdict

def modules(src):
    mods = {}
    for root, _, files in os.walk(src):
        for f in files:
            if not f.endswith('.rs'): continue
            p = os.path.join(root, f)
            rel = os.path.relpath(p, src)[:-3]
            parts = rel.split(os.sep)
            if parts[-1] == 'mod': parts = parts[:-1]
            if parts in (['lib'], ['main']): name = 'crate'
            else: name = '::'.join(parts)
            mods[p] = name
    return mods

def strip_comments(text):
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
    out = []
    for line in text.split('\n'):
        s = line.lstrip()
        if s.startswith('//'): continue
        out.append(line)
    return '\n'.join(out)

def refs(text, modnames):
    found = set()
    # crate::a::b, and braces: use crate::{a, b::c}
    for m in re.finditer(r'\bcrate::(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*)', text):
        s = m.group(1)
        if s.startswith('{'):
            items = [x.strip() for x in re.split(r',', s[1:-1])]
            paths = [x.split('::') for x in items if x]
        else:
            paths = [s.split('::')]
        for parts in paths:
            # longest prefix that is a module
            best = None
            for i in range(1, len(parts)+1):
                cand = '::'.join(parts[:i])
                if cand in modnames: best = cand
            if best: found.add(best)
    return found

def tarjan(nodes, edges):
    idx = {}; low = {}; st = []; on = set(); out = []; c = [0]
    sys.setrecursionlimit(10000)
    def sc(v):
        idx[v] = low[v] = c[0]; c[0] += 1; st.append(v); on.add(v)
        for w in edges[v]:
            if w not in idx: sc(w); low[v] = min(low[v], low[w])
            elif w in on: low[v] = min(low[v], idx[w])
        if low[v] == idx[v]:
            comp = []
            while True:
                w = st.pop(); on.discard(w); comp.append(w)
                if w == v: break
            out.append(comp)
    for v in nodes:
        if v not in idx: sc(v)
    return out

bad = False
ROOT = os.path.relpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
DEFAULT_SOURCES = ['src'] + sorted(
    os.path.join('crates', c, 'src') for c in os.listdir(os.path.join(ROOT, 'crates'))
    if os.path.isdir(os.path.join(ROOT, 'crates', c, 'src')))
for src in sys.argv[1:] or [os.path.join(ROOT, d) for d in DEFAULT_SOURCES]:
    mods = modules(src)
    names = set(mods.values())
    edges = defaultdict(set)
    testonly = set()
    for p, name in mods.items():
        text = strip_comments(open(p).read())
        # drop #[cfg(test)] mod tests { ... } blocks? keep simple: only cut from "#[cfg(test)]\nmod tests" to EOF
        # test-only code is left out: tests may reach anywhere
        for t in re.finditer(r'#\[cfg\(test\)\]\s*(#\[[^\]]*\]\s*)*(pub(\(crate\))?\s+)?mod\s+(\w+)\s*;', text):
            child = t.group(4) if name == 'crate' else name + '::' + t.group(4)
            testonly.add(child)
        m = re.search(r'#\[cfg\(test\)\]\s*(#\[[^\]]*\]\s*)*(pub(\(crate\))?\s+)?mod\s+\w+\s*\{', text)
        if m: text = text[:m.start()]
        # a parent naming a child module (`check::x`)
        if name != 'crate':
            for c in names:
                if c.rsplit('::',1)[0] == name and '::' in c:
                    if re.search(r'\b' + re.escape(c.rsplit('::',1)[1]) + r'::', text):
                        edges[name].add(c)
        for r in refs(text, names):
            if r != name and r != 'crate' and not name.startswith(r + '::') :
                edges[name].add(r)
        # super:: in child modules
        if '::' in name and re.search(r'\bsuper::', text):
            parent = name.rsplit('::',1)[0]
            edges[name].add(parent)
    for t in list(testonly):
        testonly |= {n for n in names if n.startswith(t + '::')}
    names -= testonly
    for k in list(edges):
        if k in testonly: del edges[k]
        else: edges[k] -= testonly
    if os.environ.get('SHOW'):
        for k in sorted(edges): print('   ', k, '->', sorted(edges[k]))
    # A module and its own child files (schema/check.rs) are one unit: a child reads its parent's private items
    # by design. Fold children into their top-level module; edges between them and other modules stay.
    fold = lambda n: n.split('::')[0]
    folded = defaultdict(set)
    for k, vs in edges.items():
        for v in vs:
            if fold(k) != fold(v): folded[fold(k)].add(fold(v))
    names = {fold(n) for n in names}
    edges = folded
    comps = [c for c in tarjan(sorted(names), edges) if len(c) > 1]
    print(f'== {src}: {len(names)} modules, {sum(len(v) for v in edges.values())} edges')
    for c in comps:
        bad = True
        print('  CIRCLE:', sorted(c))
        for a in sorted(c):
            print('    ', a, '->', sorted(e for e in edges[a] if e in c))
sys.exit(1 if bad else 0)
