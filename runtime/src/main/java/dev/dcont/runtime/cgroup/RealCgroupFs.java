package dev.dcont.runtime.cgroup;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The kernel's cgroupfs through java.nio. */
public final class RealCgroupFs implements CgroupFs {
    public static final RealCgroupFs INSTANCE = new RealCgroupFs();

    private RealCgroupFs() {}

    @Override
    public boolean exists(Path p) {
        return Files.exists(p);
    }

    @Override
    public void mkdir(Path dir) throws IOException {
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            // fine
        }
    }

    @Override
    public void rmdir(Path dir) throws IOException {
        Files.deleteIfExists(dir);
    }

    @Override
    public String read(Path file) throws IOException {
        try {
            return Files.readString(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            // a file of a cgroup being removed is opened but reads as ENODEV: it is gone, as if not found
            if ("No such device".equals(e.getMessage())) {
                throw new java.nio.file.NoSuchFileException(file.toString(), null, "cgroup removed while read");
            }
            throw e;
        }
    }

    @Override
    public void write(Path file, String value) throws IOException {
        try {
            Files.writeString(file, value, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new IOException("cgroup: write " + value + " to " + file + ": " + e.getMessage(), e);
        }
    }
}
