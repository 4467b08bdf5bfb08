package dev.dcont.cli.commands;

import dev.dcont.cli.run.Containers;
import dev.dcont.store.db.ContainerRecord;

/** Containers started with {@code -d --rm} are removed once they are seen to have exited. */
final class ContainerCleanup {
  private ContainerCleanup() { }

  static boolean reapIfAutoRemove(Containers containers, Containers.Status s) {
    if (!s.record().autoRemove() || !s.state().equals(ContainerRecord.EXITED)) {
      return false;
    }
    try {
      containers.remove(s.record(), true);
      return true;
    } catch (Exception e) {
      return false;
    }
  }
}
