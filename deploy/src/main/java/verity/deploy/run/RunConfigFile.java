package verity.deploy.run;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The settings file {@code verity local} writes for its nodes, {@code nodes/run.conf}: the run's
 * flags (the data directory made absolute) over an include of the {@code --config} file. The file
 * is included, not copied, so what it keeps (a database password) stays in the file its owner
 * wrote; and {@code run.conf} is readable by its owner only, whatever the umask.
 */
public final class RunConfigFile {
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private RunConfigFile() {}

  /**
   * Writes {@code nodesDir/run.conf}, replacing an earlier one.
   *
   * @param userConfig the {@code --config} file, or null
   */
  public static Path write(Path nodesDir, Map<String, Object> runFlags, Path data, Path userConfig)
      throws IOException {
    Map<String, Object> flags = new LinkedHashMap<>(runFlags);
    flags.put("verity.data-dir", data.toString());
    StringBuilder text =
        new StringBuilder("# Written by verity local for its nodes: the run's flags over its ")
            .append("--config file.\n");
    if (userConfig != null) {
      String path = userConfig.toAbsolutePath().toString();
      text.append("include required(file(")
          .append(ConfigValueFactory.fromAnyRef(path).render(ConfigRenderOptions.concise()))
          .append("))\n");
    }
    text.append(
        ConfigFactory.parseMap(flags, "verity local flags")
            .root()
            .render(ConfigRenderOptions.defaults().setOriginComments(false).setJson(false)));
    Path file = nodesDir.resolve("run.conf");
    try (FileChannel channel =
            FileChannel.open(
                file,
                Set.of(
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING),
                PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        Writer w = Channels.newWriter(channel, StandardCharsets.UTF_8)) {
      // The attribute applies to a new file only: an earlier run's may be readable by others.
      Files.setPosixFilePermissions(file, OWNER_ONLY);
      w.write(text.toString());
    }
    return file;
  }
}
