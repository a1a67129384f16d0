package io.torchtensor.format.pickle;

import io.torchtensor.format.ReadLimits;
import io.torchtensor.format.TensorFormatException;
import io.torchtensor.format.TensorFormatException.Reason;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pickle machine's stack, MARK positions and memo, as CPython's {@code _Unpickler} keeps them
 * ({@code stack}, {@code metastack}, {@code memo}). Items below the latest MARK are out of reach
 * until POP_MARK or a MARK-consuming opcode, as with CPython's metastack. Stack size, MARK nesting,
 * container growth and memo entries are capped by {@link ReadLimits} before they grow.
 */
final class PickleStack {

  private final PickleInput in;
  private final ReadLimits limits;
  private final ArrayList<Object> stack = new ArrayList<>();
  private final Map<Long, Object> memo = new HashMap<>();
  private int[] marks = new int[16];
  private int markCount;

  PickleStack(PickleInput in, ReadLimits limits) {
    this.in = in;
    this.limits = limits;
  }

  /** POP: the top item, or when the stack above the latest MARK is empty, that MARK (pickle.py load_pop). */
  void popOrPopMark() throws TensorFormatException {
    if (stack.size() > base()) {
      stack.remove(stack.size() - 1);
    } else {
      popMark();
    }
  }

  /** MEMOIZE: stores the top item under the next memo index, len(memo). */
  void memoize() throws TensorFormatException {
    memoPut(memo.size());
  }

  void checkSize(long have, long adding) throws TensorFormatException {
    if (have + adding > limits.maxElements()) {
      throw in.error(Reason.LIMIT_EXCEEDED, "container would hold " + (have + adding)
          + " elements, more than the limit of " + limits.maxElements());
    }
  }

  void memoPut(long index) throws TensorFormatException {
    Object top = peek();
    if (!memo.containsKey(index) && memo.size() >= limits.maxMemoEntries()) {
      throw in.error(Reason.LIMIT_EXCEEDED, "memo would hold more than " + limits.maxMemoEntries() + " entries");
    }
    memo.put(index, top);
  }

  void memoGet(long index) throws TensorFormatException {
    if (!memo.containsKey(index)) {
      throw in.error(Reason.BAD_PICKLE, "memo index " + index + " was never stored");
    }
    push(memo.get(index));
  }

  private int base() {
    return markCount == 0 ? 0 : marks[markCount - 1];
  }

  void push(Object v) throws TensorFormatException {
    if (stack.size() >= limits.maxElements()) {
      throw in.error(Reason.LIMIT_EXCEEDED, "stack would hold more than " + limits.maxElements() + " items");
    }
    stack.add(v);
  }

  Object pop() throws TensorFormatException {
    if (stack.size() <= base()) {
      throw in.error(Reason.BAD_PICKLE, "stack underflow");
    }
    return stack.remove(stack.size() - 1);
  }

  Object peek() throws TensorFormatException {
    if (stack.size() <= base()) {
      throw in.error(Reason.BAD_PICKLE, "stack underflow");
    }
    return stack.get(stack.size() - 1);
  }

  void pushMark() throws TensorFormatException {
    if (markCount >= limits.maxDepth()) {
      throw in.error(Reason.LIMIT_EXCEEDED, "MARK nesting deeper than " + limits.maxDepth());
    }
    if (markCount == marks.length) {
      marks = java.util.Arrays.copyOf(marks, marks.length * 2);
    }
    marks[markCount++] = stack.size();
  }

  List<Object> popMark() throws TensorFormatException {
    if (markCount == 0) {
      throw in.error(Reason.BAD_PICKLE, "no MARK to pop to");
    }
    int m = marks[--markCount];
    List<Object> top = stack.subList(m, stack.size());
    List<Object> items = new ArrayList<>(top);
    top.clear();
    return items;
  }
}
