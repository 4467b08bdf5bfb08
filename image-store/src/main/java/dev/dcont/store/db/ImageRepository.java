package dev.dcont.store.db;

import dev.dcont.store.StoreException;
import dev.dcont.store.model.ChainId;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.Reference;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Images, their layers, tags and repository digests in the metadata database: every statement that changes these
 * four tables is here, where their consistency (a name always names a stored image) can be read in one place; the
 * reading of their rows into records is {@link ImageRows}'.
 */
public final class ImageRepository {
  static final String SCHEMA = """
      CREATE TABLE IF NOT EXISTS images (
        manifest_digest TEXT PRIMARY KEY,
        manifest_media_type TEXT NOT NULL,
        manifest_size INTEGER NOT NULL,
        config_digest TEXT NOT NULL,
        config_size INTEGER NOT NULL,
        platform TEXT NOT NULL,
        created TEXT,
        pulled_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS images_config ON images(config_digest);
      CREATE TABLE IF NOT EXISTS image_layers (
        manifest_digest TEXT NOT NULL REFERENCES images(manifest_digest) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        digest TEXT NOT NULL,
        diff_id TEXT NOT NULL,
        chain_id TEXT NOT NULL,
        media_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        PRIMARY KEY (manifest_digest, position)
      );
      CREATE INDEX IF NOT EXISTS image_layers_digest ON image_layers(digest);
      CREATE INDEX IF NOT EXISTS image_layers_chain ON image_layers(chain_id);
      CREATE TABLE IF NOT EXISTS tags (
        repository TEXT NOT NULL,
        tag TEXT NOT NULL,
        manifest_digest TEXT NOT NULL REFERENCES images(manifest_digest),
        PRIMARY KEY (repository, tag)
      );
      CREATE TABLE IF NOT EXISTS repo_digests (
        repository TEXT NOT NULL,
        digest TEXT NOT NULL,
        manifest_digest TEXT NOT NULL REFERENCES images(manifest_digest),
        index_digest TEXT,
        PRIMARY KEY (repository, digest)
      )
      """;

  private final MetadataDb db;

  public ImageRepository(MetadataDb db) {
    this.db = db;
    db.ensureSchema(SCHEMA);
  }

  public MetadataDb db() {
    return db;
  }

  /**
   * Records a pulled image in one transaction: the image and its layers, the tag of {@code ref}
   * (if it has one) and the repository digest the registry served for it ({@code servedDigest},
   * the index's when there was one, which is then also kept as {@code indexDigest}). Returns the names it took
   * from other images (the tag and repository digest, each with the image it named before), for
   * {@link #delete(Digest, Map)} to give back if the image is refused.
   */
  public Map<Reference, Digest> save(ImageRecord img, Reference ref, Digest servedDigest, Digest indexDigest) {
    String md = img.manifestDigest().toString();
    return db.inTransaction(c -> {
      Map<Reference, Digest> replaced = new LinkedHashMap<>();
      insertImage(c, img);
      if (ref.tag() != null) {
        taken(c, "tags", "tag", ref.withTag(ref.tag()), ref.tag(), md, replaced);
        try (PreparedStatement ps = c.prepareStatement(
            "INSERT INTO tags(repository, tag, manifest_digest) VALUES (?,?,?) "
                + "ON CONFLICT(repository, tag) DO UPDATE SET manifest_digest = excluded.manifest_digest")) {
          ps.setString(1, ref.repository());
          ps.setString(2, ref.tag());
          ps.setString(3, md);
          ps.executeUpdate();
        }
      }
      if (servedDigest != null) {
        taken(c, "repo_digests", "digest", ref.withDigest(servedDigest), servedDigest.toString(), md, replaced);
        try (PreparedStatement ps = c.prepareStatement(
            "INSERT INTO repo_digests(repository, digest, manifest_digest, index_digest) VALUES (?,?,?,?) "
                + "ON CONFLICT(repository, digest) DO UPDATE SET manifest_digest = excluded.manifest_digest, "
                + "index_digest = excluded.index_digest")) {
          ps.setString(1, ref.repository());
          ps.setString(2, servedDigest.toString());
          ps.setString(3, md);
          ps.setString(4, indexDigest == null ? null : indexDigest.toString());
          ps.executeUpdate();
        }
      }
      return replaced;
    });
  }

  /** Records an image without a name (loaded from an archive that gives it none): known by its ID. */
  public void saveUntagged(ImageRecord img) {
    db.inTransaction(c -> {
      insertImage(c, img);
      return null;
    });
  }

  /** Puts {@code name} in {@code replaced} with the image it names now, if that is not {@code md}. */
  private static void taken(Connection c, String table, String column, Reference name, String value, String md,
      Map<Reference, Digest> replaced) throws SQLException {
    String before = Sql.single(c,
        "SELECT manifest_digest FROM " + table + " WHERE repository = ? AND " + column + " = ?",
        name.repository(), value);
    if (before != null && !before.equals(md)) {
      replaced.put(name, Digest.parse(before));
    }
  }

  private static void insertImage(Connection c, ImageRecord img) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT OR IGNORE INTO images(manifest_digest, manifest_media_type, manifest_size, config_digest, "
            + "config_size, platform, created, pulled_at) VALUES (?,?,?,?,?,?,?,?)")) {
      ps.setString(1, img.manifestDigest().toString());
      ps.setString(2, img.manifestMediaType().toString());
      ps.setLong(3, img.manifestSize());
      ps.setString(4, img.configDigest().toString());
      ps.setLong(5, img.configSize());
      ps.setString(6, img.platform().toString());
      ps.setString(7, img.created());
      ps.setLong(8, img.pulledAt());
      if (ps.executeUpdate() == 0) {
        return;
      }
    }
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO image_layers(manifest_digest, position, digest, diff_id, chain_id, media_type, size) "
            + "VALUES (?,?,?,?,?,?,?)")) {
      for (ImageRecord.Layer l : img.layers()) {
        ps.setString(1, img.manifestDigest().toString());
        ps.setInt(2, l.position());
        ps.setString(3, l.digest().toString());
        ps.setString(4, l.diffId().toString());
        ps.setString(5, l.chainId().toString());
        ps.setString(6, l.mediaType().toString());
        ps.setLong(7, l.size());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  public Optional<ImageRecord> find(Digest manifestDigest) {
    return db.read(c -> ImageRows.image(c, manifestDigest.toString()));
  }

  /** The image a tag or digest reference names locally, if any. */
  public Optional<ImageRecord> find(Reference ref) {
    return db.read(c -> {
      String md = null;
      if (ref.digest() != null) {
        md = Sql.single(c, "SELECT manifest_digest FROM repo_digests WHERE repository = ? AND digest = ?",
            ref.repository(), ref.digest().toString());
        if (md == null) {
          md = Sql.single(c, "SELECT manifest_digest FROM images WHERE manifest_digest = ?", ref.digest().toString());
        }
      } else if (ref.tag() != null) {
        md = Sql.single(c, "SELECT manifest_digest FROM tags WHERE repository = ? AND tag = ?",
            ref.repository(), ref.tag());
      }
      return md == null ? Optional.empty() : ImageRows.image(c, md);
    });
  }

  /** The digest the registry served when {@code ref} was last pulled by tag, if known. */
  public Optional<Digest> servedDigest(Reference ref, Digest manifestDigest) {
    return db.read(c -> {
      String d = Sql.single(c, "SELECT digest FROM repo_digests WHERE repository = ? AND manifest_digest = ? "
          + "ORDER BY index_digest IS NULL LIMIT 1", ref.repository(), manifestDigest.toString());
      return Optional.ofNullable(d).map(Digest::parse);
    });
  }

  /**
   * Resolves what a user typed to name a local image, as Docker does: a reference
   * ({@code busybox}, {@code host/x:tag}, {@code name@sha256:…}), a full or abbreviated image ID
   * (config digest, with or without {@code sha256:}), or a manifest digest.
   */
  public Optional<ImageRecord> resolve(String name) {
    String s = name.startsWith("sha256:") ? name.substring(7) : name;
    if (s.matches("[a-f0-9]{4,64}")) {
      List<String> ids = db.read(c -> Sql.list(c,
          "SELECT manifest_digest FROM images WHERE substr(config_digest, 8) LIKE ? || '%' "
              + "OR substr(manifest_digest, 8) LIKE ? || '%'", s, s));
      Set<String> distinct = new HashSet<>(ids);
      if (distinct.size() > 1) {
        throw new StoreException("image ID prefix " + name + " is ambiguous (" + distinct.size()
            + " images match; give more digits)");
      }
      if (distinct.size() == 1) {
        return find(Digest.parse(distinct.iterator().next()));
      }
      if (name.startsWith("sha256:")) {
        return Optional.empty();
      }
    }
    Reference ref;
    try {
      ref = Reference.parse(name);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    return find(ref);
  }

  /** An image with the names that point at it, for listings. */
  public record Named(ImageRecord image, List<Reference> tags, List<Reference> digests) { }

  /** All images with their tags and repository digests, newest first. */
  public List<Named> list() {
    return db.read(c -> {
      Map<String, List<Reference>> tags = new LinkedHashMap<>();
      Map<String, List<Reference>> digests = new LinkedHashMap<>();
      ImageRows.names(c, null, tags, digests);
      List<Named> out = new ArrayList<>();
      for (String md : Sql.list(c, "SELECT manifest_digest FROM images ORDER BY pulled_at DESC, manifest_digest")) {
        ImageRows.image(c, md).ifPresent(i -> out.add(new Named(i, tags.getOrDefault(md, List.of()),
            digests.getOrDefault(md, List.of()))));
      }
      return out;
    });
  }

  /** One image with the names that point at it. */
  public Named named(ImageRecord img) {
    String md = img.manifestDigest().toString();
    return db.read(c -> {
      Map<String, List<Reference>> tags = new LinkedHashMap<>();
      Map<String, List<Reference>> digests = new LinkedHashMap<>();
      ImageRows.names(c, md, tags, digests);
      return new Named(img, tags.getOrDefault(md, List.of()), digests.getOrDefault(md, List.of()));
    });
  }

  /** Removes one tag. Returns whether it existed. */
  public boolean untag(Reference ref) {
    return db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM tags WHERE repository = ? AND tag = ?")) {
        ps.setString(1, ref.repository());
        ps.setString(2, ref.tag());
        return ps.executeUpdate() > 0;
      }
    });
  }

  /**
   * Points tag {@code target} at image {@code manifestDigest} ({@code dcont tag}), taking the tag from the image it
   * named before, if any. Returns false when no such image is stored.
   */
  public boolean tag(Reference target, Digest manifestDigest) {
    if (target.tag() == null || target.digest() != null) {
      throw new IllegalArgumentException("a tag needs a name:tag reference, not " + target);
    }
    return db.inTransaction(c -> {
      if (Sql.single(c, "SELECT 1 FROM images WHERE manifest_digest = ?", manifestDigest.toString()) == null) {
        return false;
      }
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO tags(repository, tag, manifest_digest) VALUES (?,?,?) "
              + "ON CONFLICT(repository, tag) DO UPDATE SET manifest_digest = excluded.manifest_digest")) {
        ps.setString(1, target.repository());
        ps.setString(2, target.tag());
        ps.setString(3, manifestDigest.toString());
        ps.executeUpdate();
      }
      return true;
    });
  }

  /** The tags of one repository ({@code domain/path}), sorted by tag. */
  public List<Reference> tagsOf(String repository) {
    return db.read(c -> Sql.list(c, "SELECT tag FROM tags WHERE repository = ? ORDER BY tag", repository)).stream()
        .map(t -> Reference.parse(repository + ":" + t)).toList();
  }

  /**
   * Records that repository {@code repository} ({@code domain/path}) of a registry serves image {@code manifestDigest}
   * under {@code digest}, as a pull records what it pulled: after a push, as Docker adds a RepoDigest.
   */
  public void addRepoDigest(String repository, Digest digest, Digest manifestDigest) {
    db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO repo_digests(repository, digest, manifest_digest, index_digest) VALUES (?,?,?,NULL) "
              + "ON CONFLICT(repository, digest) DO UPDATE SET manifest_digest = excluded.manifest_digest")) {
        ps.setString(1, repository);
        ps.setString(2, digest.toString());
        ps.setString(3, manifestDigest.toString());
        ps.executeUpdate();
      }
      return null;
    });
  }

  /**
   * The repositories of registry {@code domain} known to hold blob {@code blob} (a layer or config): those that an
   * image with it was pulled from or pushed to (its repository digests), most recently pulled image first. A push
   * mounts the blob from one of them instead of uploading it.
   */
  public List<String> repositoriesWithBlob(Digest blob, String domain) {
    List<String> all = db.read(c -> Sql.list(c,
        "SELECT rd.repository FROM repo_digests rd JOIN images i ON i.manifest_digest = rd.manifest_digest "
            + "WHERE i.config_digest = ? OR EXISTS (SELECT 1 FROM image_layers l "
            + "WHERE l.manifest_digest = rd.manifest_digest AND l.digest = ?) "
            + "ORDER BY i.pulled_at DESC, rd.repository", blob.toString(), blob.toString()));
    String prefix = domain + "/";
    return all.stream().filter(r -> r.startsWith(prefix)).map(r -> r.substring(prefix.length())).distinct().toList();
  }

  /** The index an image was pulled through (its platform's manifest is one entry of it), if any. */
  public Optional<Digest> indexOf(Digest manifestDigest) {
    return db.read(c -> Optional.ofNullable(Sql.single(c, "SELECT index_digest FROM repo_digests "
        + "WHERE manifest_digest = ? AND index_digest IS NOT NULL ORDER BY repository LIMIT 1",
        manifestDigest.toString())).map(Digest::parse));
  }

  /** Number of tags pointing at an image. */
  public int tagCount(Digest manifestDigest) {
    return db.read(c -> Integer.parseInt(Sql.single(c, "SELECT count(*) FROM tags WHERE manifest_digest = ?",
        manifestDigest.toString())));
  }

  /** Deletes an image with all its tags and repository digests (blobs stay until {@link #referencedBlobs} drops them). */
  public void delete(Digest manifestDigest) {
    delete(manifestDigest, Map.of());
  }

  /**
   * Deletes an image as {@link #delete(Digest)}, except that the names in {@code giveBack} (what {@link #save}
   * took from other images) that still name it name their earlier image again, if that one still exists. One
   * transaction: the names move back and the image goes together.
   */
  public void delete(Digest manifestDigest, Map<Reference, Digest> giveBack) {
    String md = manifestDigest.toString();
    db.inTransaction(c -> {
      for (Map.Entry<Reference, Digest> e : giveBack.entrySet()) {
        Reference name = e.getKey();
        boolean tag = name.digest() == null;
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + (tag ? "tags" : "repo_digests")
            + " SET manifest_digest = ? WHERE repository = ? AND " + (tag ? "tag" : "digest") + " = ? "
            + "AND manifest_digest = ? AND EXISTS (SELECT 1 FROM images WHERE manifest_digest = ?)")) {
          ps.setString(1, e.getValue().toString());
          ps.setString(2, name.repository());
          ps.setString(3, tag ? name.tag() : name.digest().toString());
          ps.setString(4, md);
          ps.setString(5, e.getValue().toString());
          ps.executeUpdate();
        }
      }
      for (String sql : List.of("DELETE FROM tags WHERE manifest_digest = ?",
          "DELETE FROM repo_digests WHERE manifest_digest = ?",
          "DELETE FROM image_layers WHERE manifest_digest = ?",
          "DELETE FROM images WHERE manifest_digest = ?")) {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          ps.setString(1, md);
          ps.executeUpdate();
        }
      }
      return null;
    });
  }

  /** Deletes images that no tag and no repository digest names any more; returns them. */
  public List<Digest> deleteUnnamed() {
    List<String> orphans = db.read(c -> Sql.list(c,
        "SELECT manifest_digest FROM images WHERE manifest_digest NOT IN (SELECT manifest_digest FROM tags) "
            + "AND manifest_digest NOT IN (SELECT manifest_digest FROM repo_digests)"));
    List<Digest> out = new ArrayList<>();
    for (String md : orphans) {
      delete(Digest.parse(md));
      out.add(Digest.parse(md));
    }
    return out;
  }

  /** Every blob some image still needs: index, manifest, config and layer blobs. */
  public Set<Digest> referencedBlobs() {
    return db.read(c -> {
      Set<Digest> out = new HashSet<>();
      for (String d : Sql.list(c, "SELECT manifest_digest FROM images UNION SELECT config_digest FROM images "
          + "UNION SELECT digest FROM image_layers UNION SELECT index_digest FROM repo_digests "
          + "WHERE index_digest IS NOT NULL")) {
        out.add(Digest.parse(d));
      }
      return out;
    });
  }

  /** The chain IDs of every image's layers: the snapshots images need. */
  public Set<ChainId> layerChainIds() {
    return db.read(c -> {
      Set<ChainId> out = new HashSet<>();
      for (String id : Sql.list(c, "SELECT DISTINCT chain_id FROM image_layers")) {
        out.add(ChainId.parse(id));
      }
      return out;
    });
  }

  /** Whether an image other than {@code image} has a layer with chain ID {@code chainId}. */
  public boolean layerUsedByAnotherImage(ChainId chainId, Digest image) {
    return db.read(c -> Sql.single(c, "SELECT 1 FROM image_layers WHERE chain_id = ? AND manifest_digest <> ? LIMIT 1",
        chainId.toString(), image.toString()) != null);
  }
}
