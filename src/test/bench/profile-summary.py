#!/usr/bin/env python3
"""Where a benchmark run's CPU went, from async-profiler's collapsed output (issue 17's profile).

Record the project slot with async-profiler (from Maven Central: tools.profiler:async-profiler, its
jar holds linux-x64/libasyncProfiler.so), CPU samples of every thread, JIT and GC included:
  PROJECT_CMD='java -agentpath:/path/libasyncProfiler.so=start,event=itimer,interval=1ms,timeout=38,file=/tmp/cpu.collapsed,collapsed,threads -jar target/ideogram-camel.jar' ../shared/bench/run.sh
or, for the measured window only, attach it to the running project with the JDK's jcmd (the
options quoted twice: jcmd would otherwise split them at '='), then stop it 10 s later:
  jcmd <pid> JVMTI.agent_load /path/libasyncProfiler.so '"start,event=itimer,interval=1ms,threads"'
  jcmd <pid> JVMTI.agent_load /path/libasyncProfiler.so '"stop,file=/tmp/cpu.collapsed,collapsed,threads"'
then:  src/test/bench/profile-summary.py /tmp/cpu.collapsed
Prints the share of samples by thread group, and by library for the request threads (Vert.x workers
and event loops: the innermost frame that belongs to a known library).
"""
import collections
import re
import sys

LIBRARIES = [
    ("BouncyCastle (verify)", "org/bouncycastle/"),
    ("H2", "org/h2/"),
    ("PostgreSQL driver", "org/postgresql/"),
    ("Jackson", "com/fasterxml/jackson/"),
    ("Micrometer", "io/micrometer/"),
    ("logging", "org/apache/logging/"),
    ("the bundle", "io/ideogramcamel/"),
    ("Camel", "org/apache/camel/"),
    ("Vert.x and Netty", "io/vertx/"),
    ("Vert.x and Netty", "io/netty/"),
]


def thread_group(frame):
    name = re.sub(r"\s*tid=\d+", "", frame.strip("[]"))
    name = re.sub(r"\d+", "N", name)
    if "CompilerThre" in name:
        return "JIT compiler"
    if name.startswith("GC ") or name.startswith("GN ") or "G1 " in name:
        return "GC"
    return name


def library(frames):
    for frame in reversed(frames):
        for label, prefix in LIBRARIES:
            if frame.startswith(prefix) or frame.startswith(prefix.replace("/", ".")):
                return label
    return "JDK and other"


def main(path):
    total = 0
    threads = collections.Counter()
    request_libraries = collections.Counter()
    with open(path) as collapsed:
        for line in collapsed:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if not stack:
                continue
            samples = int(count)
            frames = stack.split(";")
            group = thread_group(frames[0])
            total += samples
            threads[group] += samples
            if group.startswith("vert.x-"):
                request_libraries[library(frames[1:])] += samples
    print(f"{total} samples")
    print("by thread group:")
    for group, samples in threads.most_common(12):
        print(f"  {100 * samples / total:5.1f} %  {group}")
    requests = sum(request_libraries.values())
    if requests:
        print("request threads (Vert.x workers and event loops), by library:")
        for label, samples in request_libraries.most_common():
            print(f"  {100 * samples / requests:5.1f} %  {label}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: profile-summary.py <async-profiler collapsed file>")
    main(sys.argv[1])
