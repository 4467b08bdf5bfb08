package dev.dcont.registry.http.pem;

import dev.dcont.registry.RegistryException;
import dev.dcont.registry.RegistryException.Kind;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@link PemReader}. bouncycastle is three jars of ~8,000 entries (and, signed, manifests that list them
 * all), which every start of the launcher would open and read whenever something looks up a class or resource
 * on the class path (sqlite-jdbc and java.util.logging both do, at every start), and whose manifests each
 * class-data archive would store: a measured part of every command's start. So the launcher keeps them off
 * the class path and names their directory in the system property
 * {@value #PATH_PROPERTY}; they are loaded, in a class loader of their own, only when a registry's
 * {@code certs.d} has a certificate to read. Without the property (Maven, tests, an application that embeds
 * dcont) bouncycastle is on the class path and used from there.
 */
public final class PemReaders {
  /** The directory of bouncycastle's jars, when they are not on the class path. */
  public static final String PATH_PROPERTY = "dcont.bouncycastle.path";
  static final String IMPL = "dev.dcont.registry.http.pem.BcPemReader";
  private static PemReader reader;

  private PemReaders() { }

  /** The reader, made at the first use. */
  public static synchronized PemReader get() {
    if (reader == null) {
      reader = load(System.getProperty(PATH_PROPERTY));
    }
    return reader;
  }

  /** A reader with bouncycastle from the class path ({@code jarDir} null or empty) or from the jars in {@code jarDir}. */
  static PemReader load(String jarDir) {
    try {
      if (jarDir == null || jarDir.isEmpty()) {
        return (PemReader) Class.forName(IMPL, true, PemReader.class.getClassLoader())
            .getDeclaredConstructor().newInstance();
      }
      List<URL> urls = new ArrayList<>();
      try (DirectoryStream<Path> s = Files.newDirectoryStream(Path.of(jarDir), "*.jar")) {
        for (Path p : s) {
          urls.add(p.toUri().toURL());
        }
      }
      if (urls.isEmpty()) {
        throw new IOException("no jar in " + jarDir);
      }
      // BcPemReader itself comes from this module's jar (or classes), loaded again by the new loader so that its
      // references to bouncycastle resolve there
      urls.add(PemReader.class.getProtectionDomain().getCodeSource().getLocation());
      ClassLoader loader = new ChildFirst(urls.toArray(URL[]::new), PemReader.class.getClassLoader());
      return (PemReader) Class.forName(IMPL, true, loader).getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | IOException | LinkageError e) {
      throw new RegistryException(Kind.CONFIG, "cannot load bouncycastle's PEM reader"
          + (jarDir == null || jarDir.isEmpty() ? "" : " from " + jarDir) + " (" + e + "); reinstall dcont", e);
    }
  }

  /** Loads bouncycastle and {@link BcPemReader} from its own jars first; everything else from its parent. */
  static final class ChildFirst extends URLClassLoader {
    static {
      registerAsParallelCapable();
    }

    ChildFirst(URL[] urls, ClassLoader parent) {
      super("dcont-bouncycastle", urls, parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (!name.startsWith("org.bouncycastle.") && !name.equals(IMPL)) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> c = findLoadedClass(name);
        if (c == null) {
          c = findClass(name);
        }
        if (resolve) {
          resolveClass(c);
        }
        return c;
      }
    }
  }
}
