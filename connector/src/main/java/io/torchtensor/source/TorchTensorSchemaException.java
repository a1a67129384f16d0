package io.torchtensor.source;

/**
 * A readable tensor file that does not fit the requested table: tensors of one file with different
 * leading dimensions in the {@code rows} layout, files that disagree on columns, dtypes or per-row
 * shapes, a column whose type does not match a user schema. The message names the file(s), the
 * column, what was expected and what was found, and what to do instead.
 */
public final class TorchTensorSchemaException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  public TorchTensorSchemaException(String message) {
    super(message);
  }
}
