package dev.dcont.store.db;

import dev.dcont.store.model.ChainId;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.MediaType;
import dev.dcont.store.model.Platform;
import dev.dcont.store.model.Reference;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The rows of {@link ImageRepository}'s tables read back as records: an image with its layers, the names of images. */
final class ImageRows {
  private ImageRows() {}

  static Optional<ImageRecord> image(Connection c, String manifestDigest) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT manifest_media_type, manifest_size, config_digest, config_size, platform, created, pulled_at "
            + "FROM images WHERE manifest_digest = ?")) {
      ps.setString(1, manifestDigest);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        List<ImageRecord.Layer> layers = new ArrayList<>();
        try (PreparedStatement pl = c.prepareStatement(
            "SELECT position, digest, diff_id, chain_id, media_type, size FROM image_layers "
                + "WHERE manifest_digest = ? ORDER BY position")) {
          pl.setString(1, manifestDigest);
          try (ResultSet rl = pl.executeQuery()) {
            while (rl.next()) {
              layers.add(new ImageRecord.Layer(rl.getInt(1), Digest.parse(rl.getString(2)),
                  Digest.parse(rl.getString(3)), ChainId.parse(rl.getString(4)), MediaType.of(rl.getString(5)),
                  rl.getLong(6)));
            }
          }
        }
        return Optional.of(new ImageRecord(Digest.parse(manifestDigest), MediaType.of(rs.getString(1)),
            rs.getLong(2), Digest.parse(rs.getString(3)), rs.getLong(4), Platform.parse(rs.getString(5)),
            rs.getString(6), rs.getLong(7), layers));
      }
    }
  }

  /** Tags and repository digests by manifest digest, of one image or (null) of all. */
  static void names(Connection c, String manifestDigest, Map<String, List<Reference>> tags,
      Map<String, List<Reference>> digests) throws SQLException {
    String where = manifestDigest == null ? "" : " WHERE manifest_digest = ?";
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT repository, tag, manifest_digest FROM tags" + where + " ORDER BY repository, tag")) {
      if (manifestDigest != null) {
        ps.setString(1, manifestDigest);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          tags.computeIfAbsent(rs.getString(3), k -> new ArrayList<>())
              .add(Reference.parse(rs.getString(1) + ":" + rs.getString(2)));
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT repository, digest, manifest_digest FROM repo_digests" + where + " ORDER BY repository, digest")) {
      if (manifestDigest != null) {
        ps.setString(1, manifestDigest);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          digests.computeIfAbsent(rs.getString(3), k -> new ArrayList<>())
              .add(Reference.parse(rs.getString(1) + "@" + rs.getString(2)));
        }
      }
    }
  }
}
