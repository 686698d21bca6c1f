package verity.deploy.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code verity local} hands its nodes, and who may read it. */
class RunConfigFileTest {
  @TempDir Path dir;

  private Path userConfig() throws IOException {
    return Files.writeString(
        dir.resolve("user.conf"),
        "verity.persistence { url = \"jdbc:postgresql://db/verity\", user = verity,"
            + " password = \"hunter2-secret\" }\n"
            + "verity.learner.batch-groups = 3\n"
            + "verity.seed = 9\n");
  }

  @Test
  void shouldLeaveTheConfigFilesSecretsInItAndGiveTheNodesTheSameSettings() throws IOException {
    Path nodes = Files.createDirectories(dir.resolve("nodes"));
    Path file =
        RunConfigFile.write(nodes, Map.of("verity.seed", 5), dir.resolve("data"), userConfig());

    assertFalse(Files.readString(file).contains("hunter2"), Files.readString(file));
    Config read = ConfigFactory.parseFile(file.toFile()).resolve();
    assertEquals("hunter2-secret", read.getString("verity.persistence.password"));
    assertEquals(3, read.getInt("verity.learner.batch-groups"));
    assertEquals(5, read.getInt("verity.seed")); // the flag over the file
    assertEquals(dir.resolve("data").toString(), read.getString("verity.data-dir"));
  }

  @Test
  void shouldBeReadableByItsOwnerOnlyEvenOverAnOlderFile() throws IOException {
    Path nodes = Files.createDirectories(dir.resolve("nodes"));
    Files.writeString(nodes.resolve("run.conf"), "# an older run's\n");
    Files.setPosixFilePermissions(
        nodes.resolve("run.conf"), PosixFilePermissions.fromString("rw-r--r--"));

    Path file = RunConfigFile.write(nodes, Map.of(), dir.resolve("data"), null);

    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals(
        dir.resolve("data").toString(),
        ConfigFactory.parseFile(file.toFile()).getString("verity.data-dir"));
  }
}
