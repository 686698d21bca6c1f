package verity.policy.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;

/**
 * Rows of different lengths as one batch, padded on the left so that every row's next token is in
 * the last column: token ids (padding is id 0), position ids counting from each row's first real
 * token (padding gets 1, as Hugging Face's {@code generate} does) and which columns are real.
 */
record LeftPadded(long[][] idsRows, long[][] positionRows, float[][] keyValidRows) {

  static LeftPadded of(int[][] rows) {
    int width = 0;
    for (int[] row : rows) {
      if (row.length == 0) {
        throw new IllegalArgumentException("a row has no tokens");
      }
      width = Math.max(width, row.length);
    }
    long[][] ids = new long[rows.length][width];
    long[][] positions = new long[rows.length][width];
    float[][] valid = new float[rows.length][width];
    for (int r = 0; r < rows.length; r++) {
      int pad = width - rows[r].length;
      Arrays.fill(positions[r], 0, pad, 1);
      for (int p = 0; p < rows[r].length; p++) {
        ids[r][pad + p] = rows[r][p];
        positions[r][pad + p] = p;
        valid[r][pad + p] = 1f;
      }
    }
    return new LeftPadded(ids, positions, valid);
  }

  int width() {
    return idsRows[0].length;
  }

  /** The position id each row's next token gets. */
  long[] nextPositions() {
    long[] next = new long[idsRows.length];
    for (int r = 0; r < next.length; r++) {
      next[r] = positionRows[r][width() - 1] + 1;
    }
    return next;
  }

  NDArray ids(NDManager manager) {
    return manager.create(idsRows);
  }

  NDArray positions(NDManager manager) {
    return manager.create(positionRows);
  }

  NDArray keyValid(NDManager manager) {
    return manager.create(keyValidRows);
  }

  /** The key mask one decoded token later: every row gains one real column. */
  static float[][] extend(float[][] keyValid) {
    float[][] out = new float[keyValid.length][];
    for (int r = 0; r < keyValid.length; r++) {
      out[r] = Arrays.copyOf(keyValid[r], keyValid[r].length + 1);
      out[r][keyValid[r].length] = 1f;
    }
    return out;
  }
}
