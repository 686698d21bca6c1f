package verity.reward.sandbox;

import java.util.List;

/**
 * Kills a sandbox's whole process tree. Killing the sandbox's pid 1 (bwrap's direct child) makes
 * the kernel kill every process in its pid namespace at once, so a fork bomb cannot outrun it; the
 * other processes are killed as well in case the namespace was never set up.
 */
final class ProcessTree {
  private ProcessTree() {}

  static void kill(Process process) {
    List<ProcessHandle> children = process.children().toList();
    List<ProcessHandle> descendants = process.descendants().toList();
    children.forEach(ProcessHandle::destroyForcibly);
    // Through the handle: Process.destroyForcibly() would also close the output pipes before
    // their readers have drained them.
    process.toHandle().destroyForcibly();
    descendants.forEach(ProcessHandle::destroyForcibly);
  }
}
