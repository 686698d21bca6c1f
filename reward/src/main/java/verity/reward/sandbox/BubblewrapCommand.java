package verity.reward.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import verity.envs.CheckPlan;

/**
 * The command line that runs one program in a fresh bubblewrap sandbox: the host side (status file
 * on fd 3, dropping root), the sandbox (every namespace unshared, a read-only system, private
 * tmpfs, no environment, the program as pid 1 with no capabilities) and the rlimits set inside it.
 */
final class BubblewrapCommand {
  /** Where a program may write inside the sandbox; each is its own size-limited tmpfs. */
  static final String TMP = "/tmp";

  static final String HOME = "/home/sandbox";
  static final String SHM = "/dev/shm";

  /** Top-level directories that hold the system's programs and libraries besides /usr. */
  private static final List<String> SYSTEM_DIRS =
      List.of("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32");

  /** POSIX sh on the host, only to open the status file on fd 3 before exec-ing bwrap. */
  private static final String SHELL = "/bin/sh";

  private static final String OPEN_STATUS_FD = "status=$1; shift; exec \"$@\" 3>\"$status\"";

  private final SandboxSettings settings;
  private final boolean dropRoot;
  private final List<String> systemMounts;

  /**
   * @param dropRoot run bwrap as {@link SandboxSettings#runAsUid()} (the node runs as root)
   * @param systemMounts bwrap arguments that mount the read-only system, see {@link
   *     #systemMounts(SandboxSettings)}
   */
  BubblewrapCommand(SandboxSettings settings, boolean dropRoot, List<String> systemMounts) {
    this.settings = settings;
    this.dropRoot = dropRoot;
    this.systemMounts = List.copyOf(systemMounts);
  }

  /**
   * Mounts /usr and the extra paths read-only, and mirrors the host's /bin, /lib and the like: a
   * symlink where the host has a merged /usr, a read-only bind where it has a directory.
   */
  static List<String> systemMounts(SandboxSettings settings) {
    List<String> args = new ArrayList<>(List.of("--ro-bind", "/usr", "/usr"));
    for (String dir : SYSTEM_DIRS) {
      Path p = Path.of(dir);
      try {
        if (Files.isSymbolicLink(p)) {
          args.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), dir));
        } else if (Files.isDirectory(p)) {
          args.addAll(List.of("--ro-bind", dir, dir));
        }
      } catch (IOException e) {
        throw new IllegalStateException("cannot read the host's " + dir, e);
      }
    }
    for (Path extra : settings.extraReadOnlyPaths()) {
      args.addAll(List.of("--ro-bind", extra.toString(), extra.toString()));
    }
    return args;
  }

  /**
   * @param status a host file bwrap writes its JSON status to (child pid, then exit code once the
   *     program has run)
   * @param interpreter the interpreter's command line inside the sandbox; it reads the program from
   *     stdin
   */
  List<String> build(Path status, CheckPlan.Limits limits, List<String> interpreter) {
    List<String> cmd =
        new ArrayList<>(List.of(SHELL, "-c", OPEN_STATUS_FD, "sh", status.toString()));
    if (dropRoot) {
      cmd.addAll(
          List.of(
              settings.setpriv().toString(),
              "--reuid=" + settings.runAsUid(),
              "--regid=" + settings.runAsGid(),
              "--clear-groups",
              "--"));
    }
    String tmpfsSize = Long.toString(settings.tmpfsBytes());
    cmd.addAll(
        List.of(
            settings.bwrap().toString(),
            "--unshare-all",
            "--unshare-user",
            "--disable-userns",
            "--die-with-parent",
            "--new-session",
            "--as-pid-1",
            "--json-status-fd",
            "3",
            "--clearenv",
            "--setenv",
            "PATH",
            "/usr/bin:/bin",
            "--setenv",
            "HOME",
            HOME,
            "--setenv",
            "LANG",
            "C.UTF-8",
            "--hostname",
            "sandbox"));
    cmd.addAll(systemMounts);
    cmd.addAll(
        List.of(
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--size",
            tmpfsSize,
            "--tmpfs",
            SHM,
            "--size",
            tmpfsSize,
            "--tmpfs",
            TMP,
            "--size",
            tmpfsSize,
            "--tmpfs",
            HOME,
            // /dev is a tmpfs that bwrap cannot size: read-only, so nothing fills it (its device
            // nodes still read and write; /dev/shm is its own sized tmpfs).
            "--remount-ro",
            "/dev",
            "--remount-ro",
            "/",
            "--chdir",
            TMP,
            "--"));
    long cpu = Math.max(1, (limits.cpu().toMillis() + 999) / 1000);
    cmd.addAll(
        List.of(
            settings.prlimit().toString(),
            "--cpu=" + cpu + ":" + (cpu + 1),
            "--as=" + limits.addressSpaceBytes(),
            "--nproc=" + limits.processes(),
            "--fsize=" + limits.fileBytes(),
            "--nofile=" + settings.openFiles(),
            "--core=0",
            "--"));
    cmd.addAll(interpreter);
    return cmd;
  }
}
