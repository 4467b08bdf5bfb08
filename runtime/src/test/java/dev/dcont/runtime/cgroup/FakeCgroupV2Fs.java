package dev.dcont.runtime.cgroup;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * An in-memory cgroup2 filesystem with the kernel rules that matter to a manager: mkdir populates interface
 * files for the controllers the parent delegates, writes go only to existing files and are validated,
 * subtree_control only takes controllers available in cgroup.controllers, rmdir fails with children or processes,
 * cgroup.freeze shows in cgroup.events.
 */
final class FakeCgroupV2Fs implements CgroupFs {
    final Path root;
    final Set<Path> dirs = new HashSet<>();
    final Map<Path, String> files = new HashMap<>();

    FakeCgroupV2Fs(Path root, String controllers) {
        this.root = root;
        dirs.add(root);
        files.put(root.resolve("cgroup.controllers"), controllers);
        files.put(root.resolve("cgroup.subtree_control"), "");
        files.put(root.resolve("cgroup.procs"), "1\n");
    }

    @Override
    public boolean exists(Path p) {
        return dirs.contains(p) || files.containsKey(p);
    }

    @Override
    public void mkdir(Path dir) throws IOException {
        if (dirs.contains(dir)) {
            return;
        }
        if (!dirs.contains(dir.getParent())) {
            throw new NoSuchFileException(dir.toString());
        }
        dirs.add(dir);
        String delegated = files.get(dir.getParent().resolve("cgroup.subtree_control")).trim();
        files.put(dir.resolve("cgroup.controllers"), delegated);
        files.put(dir.resolve("cgroup.subtree_control"), "");
        files.put(dir.resolve("cgroup.procs"), "");
        files.put(dir.resolve("cgroup.kill"), "");
        files.put(dir.resolve("cgroup.freeze"), "0");
        files.put(dir.resolve("cgroup.events"), "populated 0\nfrozen 0\n");
        for (String c : delegated.isEmpty() ? new String[0] : delegated.split(" ")) {
            switch (c) {
                case "memory" -> {
                    files.put(dir.resolve("memory.max"), "max");
                    files.put(dir.resolve("memory.swap.max"), "max");
                    files.put(dir.resolve("memory.events"), "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
                }
                case "cpu" -> {
                    files.put(dir.resolve("cpu.max"), "max 100000");
                    files.put(dir.resolve("cpu.weight"), "100");
                }
                case "pids" -> files.put(dir.resolve("pids.max"), "max");
                default -> { }
            }
        }
    }

    @Override
    public void rmdir(Path dir) throws IOException {
        if (!dirs.contains(dir)) {
            return;
        }
        for (Path d : dirs) {
            if (!d.equals(dir) && d.startsWith(dir)) {
                throw new IOException(dir + ": Device or resource busy (has children)");
            }
        }
        if (!files.get(dir.resolve("cgroup.procs")).isBlank()) {
            throw new IOException(dir + ": Device or resource busy (has processes)");
        }
        dirs.remove(dir);
        files.keySet().removeIf(p -> p.getParent().equals(dir));
    }

    @Override
    public String read(Path file) throws IOException {
        String v = files.get(file);
        if (v == null) {
            throw new NoSuchFileException(file.toString());
        }
        return v;
    }

    @Override
    public void write(Path file, String value) throws IOException {
        if (!files.containsKey(file)) {
            throw new NoSuchFileException(file.toString() + " (cgroupfs files cannot be created)");
        }
        String name = file.getFileName().toString();
        switch (name) {
            case "cgroup.subtree_control" -> {
                Set<String> enabled = new HashSet<>(Set.of(files.get(file).trim().split(" ")));
                enabled.remove("");
                String available = " " + files.get(file.resolveSibling("cgroup.controllers")) + " ";
                for (String op : value.trim().split("\\s+")) {
                    String c = op.substring(1);
                    if (!available.contains(" " + c + " ")) {
                        throw new IOException(file + ": No such file or directory (controller " + c + ")");
                    }
                    if (op.charAt(0) == '+') {
                        enabled.add(c);
                    } else {
                        enabled.remove(c);
                    }
                }
                files.put(file, String.join(" ", enabled.stream().sorted().toList()));
            }
            case "memory.max", "memory.swap.max", "pids.max" -> {
                if (!value.equals("max") && !value.matches("\\d+")) {
                    throw new IOException(file + ": Invalid argument " + value);
                }
                files.put(file, value);
            }
            case "cpu.max" -> {
                if (!value.matches("(max|\\d+) \\d+")) {
                    throw new IOException(file + ": Invalid argument " + value);
                }
                files.put(file, value);
            }
            case "cgroup.procs" -> files.put(file, files.get(file) + value.trim() + "\n");
            case "cpu.weight" -> {
                if (!value.matches("\\d+") || Long.parseLong(value) < 1 || Long.parseLong(value) > 10_000) {
                    throw new IOException(file + ": Numerical result out of range " + value);
                }
                files.put(file, value);
            }
            case "cgroup.freeze" -> {
                if (!value.equals("0") && !value.equals("1")) {
                    throw new IOException(file + ": Invalid argument " + value);
                }
                // the kernel reports the new state once every task has stopped; here at once
                files.put(file, value);
                files.put(file.resolveSibling("cgroup.events"), "populated 0\nfrozen " + value + "\n");
            }
            case "cgroup.kill" -> files.put(file.resolveSibling("cgroup.procs"), "");
            default -> files.put(file, value);
        }
    }
}
