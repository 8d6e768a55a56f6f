#!/usr/bin/env python3
"""Counts the atomic (lock-prefixed) instructions a gavel run executes, and where.

Every clone and drop of a string or composite value is an atomic reference-count update, which
costs far more than its one instruction (on the project's machine an `Arc` clone and drop take
11 ns, an `Rc` pair 0.6 ns), so instruction counts alone understate what cloning costs. This
script reads a callgrind profile taken with per-instruction counts and the binary's disassembly,
and prints how many lock instructions ran, by kind and by function (with `--lines`, by source
line of the increments, for a binary built with debug info).

    valgrind --tool=callgrind --dump-instr=yes --callgrind-out-file=OUT \
        target/release/gavel scan DIR --format json -o /dev/null -j 1
    python3 benches/count-locks.py OUT target/release/gavel [--top N] [--lines]

The binary must be the one profiled (a `cargo test` build of it differs: dev-dependencies
unify features), and objdump and addr2line must be installed.
"""

import argparse
import collections
import re
import subprocess


def lock_instructions(binary):
    """Addresses of the binary's lock-prefixed instructions, with their mnemonic."""
    text = subprocess.run(
        ["objdump", "-d", "--no-show-raw-insn", binary], capture_output=True, text=True, check=True
    ).stdout
    found = {}
    for line in text.splitlines():
        m = re.match(r"\s*([0-9a-f]+):\s+lock\s+(\w+)", line)
        if m:
            found[int(m.group(1), 16)] = m.group(2)
    return found


def executions(profile, binary_name, wanted):
    """How often each wanted address of the binary ran, with its function: {(fn, addr): n}."""
    counts = collections.Counter()
    objects, functions = {}, {}
    obj = fn = None
    addr = 0
    call_cost_next = False
    for line in open(profile):
        line = line.rstrip("\n")
        if not line or line[0] == "#":
            continue
        m = re.match(r"(c?)(ob|fn)=\((\d+)\)(?: (.*))?$", line)
        if m:
            names = objects if m.group(2) == "ob" else functions
            if m.group(4):
                names[m.group(3)] = m.group(4)
            if not m.group(1):
                if m.group(2) == "ob":
                    obj = names[m.group(3)]
                else:
                    fn = names[m.group(3)]
            continue
        if line.startswith("calls="):
            # The next cost line is the call's inclusive cost, not this instruction's.
            call_cost_next = True
            continue
        if line[0] not in "0123456789+-*":
            continue
        parts = line.split()
        position = parts[0]
        if position.startswith("0x"):
            addr = int(position, 16)
        elif position[0] == "+":
            addr += int(position[1:])
        elif position[0] == "-":
            addr -= int(position[1:])
        if call_cost_next:
            call_cost_next = False
            continue
        if obj and obj.endswith(binary_name) and addr in wanted and len(parts) >= 3:
            counts[(fn, addr)] += int(parts[2])
    return counts


def source_of(binary, addr):
    """The inlining chain of an address, innermost first, as file:line frames."""
    out = subprocess.run(
        ["addr2line", "-i", "-f", "-C", "-e", binary, hex(addr)], capture_output=True, text=True
    ).stdout.splitlines()
    frames = zip(out[0::2], out[1::2])
    return " <- ".join(f"{f.split('::')[-1]}@{loc.split('/')[-1]}" for f, loc in frames)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("profile")
    parser.add_argument("binary")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--lines", action="store_true", help="increments by source line")
    args = parser.parse_args()

    locks = lock_instructions(args.binary)
    counts = executions(args.profile, args.binary.split("/")[-1], locks)
    total = sum(counts.values())
    kinds = collections.Counter()
    by_function = collections.Counter()
    for (fn, addr), n in counts.items():
        kinds[locks[addr]] += n
        by_function[(fn, locks[addr])] += n
    print(f"lock instructions: {total:,}  " + ", ".join(f"{k} {n:,}" for k, n in kinds.most_common()))
    if args.lines:
        increments = collections.Counter()
        for (_, addr), n in counts.items():
            if locks[addr] == "incq":
                increments[addr] += n
        for addr, n in increments.most_common(args.top):
            print(f"{n:12,}  {source_of(args.binary, addr)[:240]}")
    else:
        for (fn, kind), n in by_function.most_common(args.top):
            print(f"{n:12,} {100 * n / max(total, 1):5.1f}%  {kind:8s} {fn}")


if __name__ == "__main__":
    main()
