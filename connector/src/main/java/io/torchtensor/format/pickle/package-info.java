/**
 * The restricted pickle reader of torch.save files: nothing in a pickle is ever imported, looked up
 * or run.
 *
 * <h2>Two phases</h2>
 * <ol>
 *   <li>{@link io.torchtensor.format.pickle.PickleMachine} runs the opcodes of protocols 0 to 5
 *       ({@code Opcode}, after CPython's {@code Lib/pickletools.py}) on a stack and a memo and builds a
 *       tree of plain values ({@code PickleTree}): a GLOBAL is a name, REDUCE / NEWOBJ / BUILD are
 *       recorded calls. Globals are checked against an allow-list as soon as they are read.
 *       {@link io.torchtensor.format.pickle.PickleMachine#loadPlain} allows no global at all and
 *       returns Java values; it reads the legacy format's header pickles.</li>
 *   <li>{@code TorchMatcher} walks the tree: dicts and {@code OrderedDict}s by key, lists and tuples
 *       by index, torch's rebuild calls ({@code TensorRebuilder}, argument orders from
 *       {@code torch/_utils.py}) into {@link io.torchtensor.format.pickle.PickledTensor}s whose
 *       storages come from persistent ids ({@code StorageTable}), other leaves into metadata.</li>
 * </ol>
 *
 * <h2>Decisions worth knowing</h2>
 * <ul>
 *   <li>Python 2 {@code str} (STRING, BINSTRING, SHORT_BINSTRING) decodes as UTF-8, torch.load's
 *       default encoding, and falls back to Latin-1 (what {@code encoding='latin1'} gives) for bytes
 *       that are not UTF-8, so no py2 string is refused. BINUNICODE must be strict UTF-8.</li>
 *   <li>Module names are renamed py2→py3 as torch's weights-only unpickler does
 *       ({@code __builtin__}→{@code builtins}, {@code copy_reg}→{@code copyreg}...), whatever the
 *       protocol; messages give both spellings.</li>
 *   <li>Dropped, not reported: BUILD states of {@code OrderedDict}s (a state_dict's {@code _metadata}),
 *       of {@code Parameter}s and of plain-value objects; the Python attributes of
 *       {@code _rebuild_parameter_with_state} and {@code _rebuild_from_type_v2}; backward hooks.</li>
 *   <li>Keys: a root tensor is {@code tensor}, a root non-tensor value is {@code value}. A quantized
 *       per-channel tensor adds {@code <key>.q_scales} and {@code <key>.q_zero_points}; a sparse tensor is
 *       emitted as its parts ({@code <key>.indices}, {@code <key>.values}, or
 *       {@code crow_indices}/{@code col_indices} for CSR/BSR and {@code ccol_indices}/{@code row_indices}
 *       for CSC/BSC) with attributes {@code layout} and {@code size}.</li>
 *   <li>Lazy conj/neg views ({@code _rebuild_tensor_v2/v3}'s last argument {@code {'conj': True}},
 *       {@code {'neg': True}}): the bits are kept on the tensor and resolved when it is read
 *       ({@link io.torchtensor.format.ConjNegBits}); a bit torch cannot resolve either (neg of bool,
 *       uint16/32/64 or float8, conj of a real dtype) or another metadata key is refused.</li>
 *   <li>Refused by design: meta, nested, wrapper-subclass and numpy-device tensors,
 *       tensor subclasses other than {@code torch.Tensor} / {@code Parameter}, packed sub-byte quantized
 *       storages, out-of-band buffers, the copyreg extension registry, INST/OBJ.</li>
 *   <li>Byte offsets in messages count from the start of the buffer handed in: entry offsets for a zip
 *       {@code data.pkl}, file offsets for a legacy file read as one buffer.</li>
 * </ul>
 */
package io.torchtensor.format.pickle;
