package verity.reward.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import verity.envs.CheckPlan;

/** The sandbox's command line, checked without running it. */
class BubblewrapCommandTest {
  final SandboxSettings settings = SandboxSettings.from(ConfigFactory.load());
  final CheckPlan.Limits limits =
      new CheckPlan.Limits(
          Duration.ofSeconds(4), Duration.ofMillis(1500), 300_000_000L, 12, 5_000_000L, 1000);
  final List<String> python = List.of("/usr/bin/python3", "-I", "-S", "-");

  List<String> command(boolean dropRoot) {
    return new BubblewrapCommand(settings, dropRoot, List.of("--ro-bind", "/usr", "/usr"))
        .build(Path.of("/tmp/x/status.json"), limits, python);
  }

  @Test
  void shouldIsolateEverythingAndRunTheProgramAsPidOne() {
    List<String> cmd = command(false);
    for (String flag :
        List.of(
            "--unshare-all",
            "--unshare-user",
            "--disable-userns",
            "--die-with-parent",
            "--new-session",
            "--as-pid-1",
            "--clearenv")) {
      assertTrue(cmd.contains(flag), flag);
    }
    assertEquals("/dev", cmd.get(cmd.indexOf("--remount-ro") + 1));
    assertEquals("/", cmd.get(cmd.lastIndexOf("--remount-ro") + 1));
    assertFalse(cmd.contains(settings.setpriv().toString()));
  }

  @Test
  void shouldDropRootBeforeStartingBwrap() {
    List<String> cmd = command(true);
    int setpriv = cmd.indexOf(settings.setpriv().toString());
    assertTrue(setpriv >= 0 && setpriv < cmd.indexOf(settings.bwrap().toString()));
    assertTrue(cmd.contains("--reuid=" + settings.runAsUid()));
  }

  @Test
  void shouldGiveEveryWritablePlaceASizedTmpfs() {
    List<String> cmd = command(false);
    for (String dir :
        List.of(BubblewrapCommand.TMP, BubblewrapCommand.HOME, BubblewrapCommand.SHM)) {
      int at = Collections.indexOfSubList(cmd, List.of("--tmpfs", dir));
      assertTrue(at > 0, dir);
      assertEquals(
          List.of("--size", Long.toString(settings.tmpfsBytes())), cmd.subList(at - 2, at), dir);
    }
  }

  @Test
  void shouldSetTheRlimitsInsideTheSandboxAndEndWithTheInterpreter() {
    List<String> cmd = command(false);
    int prlimit = cmd.indexOf(settings.prlimit().toString());
    assertTrue(prlimit > cmd.indexOf("--as-pid-1"));
    List<String> rlimits = cmd.subList(prlimit + 1, cmd.size() - python.size());
    assertEquals(
        List.of(
            "--cpu=2:3",
            "--as=300000000",
            "--nproc=12",
            "--fsize=5000000",
            "--nofile=" + settings.openFiles(),
            "--core=0",
            "--"),
        rlimits);
    assertEquals(python, cmd.subList(cmd.size() - python.size(), cmd.size()));
  }

  @Test
  void shouldMirrorTheHostsSystemDirectories() {
    List<String> mounts = BubblewrapCommand.systemMounts(settings);
    assertEquals(List.of("--ro-bind", "/usr", "/usr"), mounts.subList(0, 3));
    assertTrue(Collections.indexOfSubList(mounts, List.of("/lib")) > 0, mounts.toString());
  }
}
