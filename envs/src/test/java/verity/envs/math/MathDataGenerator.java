package verity.envs.math;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Writes the shipped math problems ({@code MathSuite.SHIPPED}) from templates and a fixed seed,
 * each record naming its template, so that the file is reproducible and {@code MathDataFileTest}
 * can check it is exactly this output. To regenerate it after changing a template, from the
 * repository root:
 *
 * <pre>
 * mvn -B -q -pl envs test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp "envs/target/classes:envs/target/test-classes:$(cat envs/target/cp.txt)" \
 *   verity.envs.math.MathDataGenerator envs/src/main/resources/verity/suites/math/problems.jsonl
 * </pre>
 */
public final class MathDataGenerator {
  static final long SEED = 20240611L;
  static final int PER_TEMPLATE = 25;

  private static final String[] NAMES = {
    "Ana", "Ben", "Carla", "Dev", "Emma", "Farid", "Grace", "Hugo", "Iris", "Jon", "Kemi", "Luis"
  };
  private static final String[] ITEMS = {
    "apples", "marbles", "stickers", "books", "pencils", "shells", "stamps", "cards"
  };

  private final SplittableRandom random;

  private MathDataGenerator(long seed) {
    this.random = new SplittableRandom(seed);
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: MathDataGenerator OUTPUT.jsonl");
    }
    Files.writeString(Path.of(args[0]), generate(SEED), StandardCharsets.UTF_8);
  }

  /** The whole file for this seed: one JSON object per line, ids {@code math-0001} upwards. */
  static String generate(long seed) {
    MathDataGenerator g = new MathDataGenerator(seed);
    // The template of each problem goes into its record: MathSuite holds whole templates out.
    Map<String, Function<MathDataGenerator, String[]>> templates = new LinkedHashMap<>();
    templates.put("more-items", MathDataGenerator::moreItems);
    templates.put("temperature-drop", MathDataGenerator::temperatureDrop);
    templates.put("notebook-cost", MathDataGenerator::notebookCost);
    templates.put("pizza-fraction", MathDataGenerator::pizzaFraction);
    templates.put("class-percent", MathDataGenerator::classPercent);
    templates.put("car-cost", MathDataGenerator::carCost);
    templates.put("ribbon-length", MathDataGenerator::ribbonLength);
    templates.put("product", MathDataGenerator::product);
    templates.put("difference", MathDataGenerator::difference);
    templates.put("fraction-sum", MathDataGenerator::fractionSum);
    templates.put("decimal-sum", MathDataGenerator::decimalSum);
    templates.put("percent-of", MathDataGenerator::percentOf);
    templates.put("shared-bill", MathDataGenerator::sharedBill);
    templates.put("population", MathDataGenerator::population);
    templates.put("train-speed", MathDataGenerator::trainSpeed);
    templates.put("mean", MathDataGenerator::mean);
    ObjectMapper json = new ObjectMapper();
    StringBuilder out = new StringBuilder();
    int id = 0;
    for (int round = 0; round < PER_TEMPLATE; round++) {
      for (Map.Entry<String, Function<MathDataGenerator, String[]>> t : templates.entrySet()) {
        String[] problem = t.getValue().apply(g);
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("id", String.format(Locale.ROOT, "math-%04d", ++id));
        record.put("prompt", problem[0]);
        record.put("answer", problem[1]);
        record.put("template", t.getKey());
        try {
          out.append(json.writeValueAsString(record)).append('\n');
        } catch (JsonProcessingException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return out.toString();
  }

  private int between(int lo, int hi) {
    return random.nextInt(lo, hi + 1);
  }

  private String name() {
    return NAMES[random.nextInt(NAMES.length)];
  }

  private String item() {
    return ITEMS[random.nextInt(ITEMS.length)];
  }

  private static String thousands(long n) {
    return new DecimalFormat("#,##0", DecimalFormatSymbols.getInstance(Locale.ROOT)).format(n);
  }

  private static String money(BigDecimal amount) {
    return "$"
        + new DecimalFormat("#,##0.00", DecimalFormatSymbols.getInstance(Locale.ROOT))
            .format(amount);
  }

  private static String plain(BigDecimal d) {
    return d.stripTrailingZeros().toPlainString();
  }

  private static String fraction(long num, long den) {
    BigInteger n = BigInteger.valueOf(num);
    BigInteger d = BigInteger.valueOf(den);
    BigInteger g = n.gcd(d);
    n = n.divide(g);
    d = d.divide(g);
    return d.equals(BigInteger.ONE) ? n.toString() : n + "/" + d;
  }

  private String[] moreItems() {
    String who = name();
    String what = item();
    int a = between(3, 60);
    int b = between(2, 45);
    return new String[] {
      who
          + " has "
          + a
          + " "
          + what
          + " and gets "
          + b
          + " more. How many "
          + what
          + " does "
          + who
          + " have now?",
      Integer.toString(a + b)
    };
  }

  private String[] temperatureDrop() {
    int start = between(-5, 12);
    int drop = between(4, 20);
    return new String[] {
      "At noon the temperature was "
          + start
          + " degrees Celsius. By midnight it had fallen by "
          + drop
          + " degrees. What was the temperature at midnight, in degrees Celsius?",
      Integer.toString(start - drop)
    };
  }

  private String[] notebookCost() {
    String who = name();
    BigDecimal price = BigDecimal.valueOf(between(105, 895), 2);
    int n = between(2, 9);
    return new String[] {
      "A notebook costs $"
          + price.toPlainString()
          + ". "
          + who
          + " buys "
          + n
          + " notebooks. How much does "
          + who
          + " spend?",
      money(price.multiply(BigDecimal.valueOf(n)))
    };
  }

  private String[] pizzaFraction() {
    String who = name();
    int slices = new int[] {4, 6, 8, 10, 12}[random.nextInt(5)];
    int eaten = between(1, slices - 1);
    return new String[] {
      "A pizza is cut into "
          + slices
          + " equal slices and "
          + who
          + " eats "
          + eaten
          + " of them. What fraction of the pizza does "
          + who
          + " eat? Give the fraction in lowest terms.",
      fraction(eaten, slices)
    };
  }

  private String[] classPercent() {
    int students = new int[] {20, 25, 40, 50, 80}[random.nextInt(5)];
    int walkers = between(1, students - 1);
    BigDecimal percent =
        BigDecimal.valueOf(100L * walkers)
            .divide(BigDecimal.valueOf(students), 2, RoundingMode.UNNECESSARY);
    return new String[] {
      "In a class of "
          + students
          + " students, "
          + walkers
          + " walk to school. What percent of the students walk to school?",
      plain(percent) + "%"
    };
  }

  private String[] carCost() {
    long car = 500L * between(14, 90);
    long insurance = 25L * between(30, 120);
    return new String[] {
      "A used car costs $"
          + thousands(car)
          + " and a year of insurance costs $"
          + thousands(insurance)
          + ". What is the total cost?",
      "$" + thousands(car + insurance)
    };
  }

  private String[] ribbonLength() {
    String who = name();
    int length = between(120, 480);
    int cut = between(15, length - 20);
    return new String[] {
      "A ribbon is "
          + length
          + " cm long. "
          + who
          + " cuts off "
          + cut
          + " cm. How long is the ribbon now?",
      (length - cut) + " cm"
    };
  }

  private String[] product() {
    int a = between(-25, 99);
    int b = between(2, 99);
    return new String[] {"What is " + a + " * " + b + "?", Integer.toString(a * b)};
  }

  private String[] difference() {
    int a = between(10, 500);
    int b = between(10, 900);
    return new String[] {"Compute " + a + " - " + b + ".", Integer.toString(a - b)};
  }

  private String[] fractionSum() {
    int b = between(2, 9);
    int d = between(2, 9);
    int a = between(1, b - 1);
    int c = between(1, d - 1);
    return new String[] {
      "What is "
          + a
          + "/"
          + b
          + " + "
          + c
          + "/"
          + d
          + "? Write the answer as a fraction in lowest terms.",
      fraction((long) a * d + (long) c * b, (long) b * d)
    };
  }

  private String[] decimalSum() {
    BigDecimal x = BigDecimal.valueOf(between(1, 999), between(1, 2));
    BigDecimal y = BigDecimal.valueOf(between(1, 999), between(1, 2));
    return new String[] {
      "What is " + x.toPlainString() + " + " + y.toPlainString() + "?", plain(x.add(y))
    };
  }

  private String[] percentOf() {
    int p = new int[] {5, 10, 12, 15, 20, 25, 30, 40, 50, 75}[random.nextInt(10)];
    int n = 4 * between(5, 150);
    return new String[] {
      "What is " + p + "% of " + n + "?",
      plain(BigDecimal.valueOf((long) p * n).divide(BigDecimal.valueOf(100)))
    };
  }

  private String[] sharedBill() {
    int friends = new int[] {2, 4, 5, 8}[random.nextInt(4)];
    BigDecimal bill = BigDecimal.valueOf(between(2000, 25000), 2);
    BigDecimal share = bill.divide(BigDecimal.valueOf(friends), 2, RoundingMode.DOWN);
    bill = share.multiply(BigDecimal.valueOf(friends));
    return new String[] {
      friends
          + " friends share a bill of $"
          + bill.toPlainString()
          + " equally. How many dollars does each friend pay?",
      plain(share) + " dollars"
    };
  }

  private String[] population() {
    long people = between(12_000, 2_500_000);
    long arrivals = between(1_000, 90_000);
    return new String[] {
      "A city had "
          + thousands(people)
          + " people. Then "
          + thousands(arrivals)
          + " more people moved in. How many people live in the city now?",
      thousands(people + arrivals)
    };
  }

  private String[] trainSpeed() {
    int hours = between(2, 8);
    int speed = 5 * between(8, 40);
    return new String[] {
      "A train travels "
          + (hours * speed)
          + " km in "
          + hours
          + " hours at a constant speed. What is its speed?",
      speed + " km/h"
    };
  }

  private String[] mean() {
    int[] scores = new int[between(3, 5)];
    long sum = 0;
    StringBuilder list = new StringBuilder();
    for (int i = 0; i < scores.length; i++) {
      scores[i] = between(1, 20);
      sum += scores[i];
      list.append(i == 0 ? "" : i == scores.length - 1 ? " and " : ", ").append(scores[i]);
    }
    BigDecimal n = BigDecimal.valueOf(scores.length);
    String answer;
    try {
      answer = plain(BigDecimal.valueOf(sum).divide(n));
    } catch (ArithmeticException nonTerminating) {
      answer = fraction(sum, scores.length);
    }
    return new String[] {"What is the mean of " + list + "?", answer};
  }
}
