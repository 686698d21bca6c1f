package verity.deploy.run;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class LogFileTest {
  @TempDir Path dir;

  @Test
  void shouldMoveALogThatAlreadyStartedToTheFileNamedAfterIt() throws Exception {
    LoggerFactory.getLogger(LogFileTest.class).warn("before: Logback has started");
    Path file = dir.resolve("nodes").resolve("learner-1.log");
    Files.createDirectories(file.getParent());
    try {
      LogFile.use(file, LogFile.class.getResource("/logback.xml"));
      LoggerFactory.getLogger(LogFileTest.class).info("after: this line is in the node's log");
      assertTrue(Files.exists(file), "no log at " + file);
      assertTrue(
          Files.readString(file).contains("after: this line is in the node's log"),
          Files.readString(file));
    } finally {
      LogFile.use(dir.resolve("rest.log"), LogFileTest.class.getResource("/logback-test.xml"));
    }
  }
}
