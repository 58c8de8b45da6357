package io.sparkvlm.core.model.layers.kernels;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Named buffers reused from step to step: native arrays (outside DL4J's workspaces, so they outlive a forward pass)
 * and heap {@link Buf}s. A layer keeps one arena for what its backward pass reads from its forward pass; the
 * thread's {@link #temporaries()} hold what lives within one call only and is shared by every layer on the thread.
 * A buffer is reallocated when the shape (or precision) asked for changes, e.g. another batch size.
 */
public final class Arena {
  private static final ThreadLocal<Arena> TEMPORARIES = ThreadLocal.withInitial(() -> new Arena(true));

  private final boolean everyShape;
  private final Map<String, INDArray> arrays = new HashMap<>();
  private final Map<String, Buf> heap = new HashMap<>();

  /** A layer's arena: one array per name, replaced when the shape asked for changes. */
  public Arena() {
    this(false);
  }

  private Arena(boolean everyShape) {
    this.everyShape = everyShape;
  }

  /** This thread's arena for values that do not outlive one layer call. */
  public static Arena temporaries() {
    return TEMPORARIES.get();
  }

  /**
   * A native array of exactly {@code shape}, row-major; its contents are whatever was left there. The thread's
   * temporaries keep one array per (name, type, shape), so layers of different sizes sharing them (a vision and a
   * text tower) do not reallocate on every call; a layer's own arena keeps one per name.
   */
  public INDArray array(String name, DataType type, long... shape) {
    String key = everyShape ? name + "/" + type + Arrays.toString(shape) : name;
    INDArray a = arrays.get(key);
    if (a == null || a.dataType() != type || !Arrays.equals(a.shape(), shape)) {
      try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
        a = Nd4j.createUninitialized(type, shape, 'c');
      }
      arrays.put(key, a);
    }
    return a;
  }

  /** A heap buffer holding at least {@code length} values. */
  public Buf buf(String name, DataType type, long length) {
    if (length > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("buffer " + name + " of " + length + " values is too large");
    }
    Buf b = heap.get(name);
    if (b == null || b.dataType() != type || b.capacity() < length) {
      b = Buf.allocate(type, (int) length);
      heap.put(name, b);
    }
    return b;
  }

  /** A heap buffer holding {@code a}'s values (row-major). */
  public Buf read(String name, INDArray a) {
    Buf b = buf(name, a.dataType(), a.length());
    Native.read(a, b);
    return b;
  }

  /** Drops every buffer (a layer's caches after its network is done with them). */
  public void clear() {
    arrays.clear();
    heap.clear();
  }
}
