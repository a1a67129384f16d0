/**
 * Tensor bytes to Arrow vectors, with no Spark dependency. Fields are shaped as Spark's
 * {@code ArrowUtils.toArrowSchema} shapes the matching Spark types (arrays are {@code List} with a
 * child named {@code element}), so Spark's {@code ArrowColumnVector} reads them as they are.
 * Plain little-endian dtypes are read straight into the Arrow data buffer; narrower or unsigned
 * dtypes are widened in one loop per batch ({@link io.torchtensor.arrow.ElementType}). Either way the
 * bytes come from {@link io.torchtensor.format.TensorFile#readRows}, which has already resolved a lazy
 * conj/neg view in the buffer ({@link io.torchtensor.format.ConjNegBits}), so nothing here depends
 * on it. Writers are
 * {@code AutoCloseable} and allocate from the caller's {@code BufferAllocator}.
 */
package io.torchtensor.arrow;
