package io.torchtensor.format.pickle;

import io.torchtensor.format.ReadLimits;
import io.torchtensor.format.TensorFormatException;
import io.torchtensor.format.TensorFormatException.Reason;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * Reads the object pickle of a torch.save file (zip {@code data.pkl}, or the fourth pickle of a legacy
 * file) without running anything: a data-only machine builds a tree of plain values, then a matcher
 * recognises the allow-listed torch rebuild calls and turns them into {@link PickledTensor}s.
 *
 * <pre>{@code
 * TorchPickle.Result r = TorchPickle.read(dataPkl, "model.pt", "model/data.pkl", ReadLimits.DEFAULT, false);
 * for (PickledTensor t : r.tensors()) { ... t.key(), t.storage().key(), t.shape() ... }
 * Object epoch = r.metadata().get("epoch");
 * }</pre>
 *
 * <p>Globals outside {@link TorchGlobals}' allow-list ({@code os.system}, {@code builtins.eval}, a
 * pickled {@code nn.Module} class, {@code __torch__.*}...) are refused with
 * {@link Reason#FORBIDDEN_GLOBAL} naming {@code module.name} as soon as they are read.
 */
public final class TorchPickle {

  /**
   * What the pickle holds.
   *
   * @param tensors  dense tensors in pickle order
   * @param metadata non-tensor leaves by dot-joined key, in pickle order (see
   *                 {@link io.torchtensor.format.TensorFile#metadata()} for the value types)
   */
  public record Result(List<PickledTensor> tensors, Map<String, Object> metadata) {
  }

  private TorchPickle() {
  }

  /**
   * Parses one pickle from {@code pickle}'s position up to and including STOP, leaving the buffer's
   * position just past STOP.
   *
   * @param legacy true for legacy files, whose persistent ids carry a sixth {@code view_metadata}
   *               element
   */
  public static Result read(ByteBuffer pickle, String file, String entry, ReadLimits limits,
      boolean legacy) throws TensorFormatException {
    PickleMachine.GlobalPolicy allowList = (g, in) -> {
      if (TorchGlobals.classify(g.module, g.name) == null) {
        throw in.error(Reason.FORBIDDEN_GLOBAL, "global " + g.qualified() + PickleMachine.pickledAs(g)
            + " is not on the allow-list of torch tensor globals; nothing was loaded or run");
      }
    };
    int start = pickle.position();
    Object tree = PickleMachine.loadTree(pickle, file, entry, limits, allowList, true);
    long budget = TorchMatcher.visitBudget(limits, pickle.position() - start);
    return new TorchMatcher(file, entry, limits, legacy, budget).match(tree);
  }
}
