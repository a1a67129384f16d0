package io.torchtensor.format.pickle;

/**
 * Every pickle opcode of protocols 0 to 5, with its byte value as CPython's
 * {@code Lib/pickletools.py} ({@code opcodes} table) and {@code Lib/pickle.py} define it.
 *
 * <p>{@link #protocol()} is the protocol that introduced the opcode. Whether the machine accepts an
 * opcode is decided in {@link PickleMachine}, not here: INST, OBJ, EXT1/2/4 and the out-of-band buffer
 * opcodes are known so that they can be refused by name.
 */
enum Opcode {
  // Integers (pickletools: "Integers")
  INT('I', 0),
  BININT('J', 1),
  BININT1('K', 1),
  BININT2('M', 1),
  LONG('L', 0),
  LONG1(0x8a, 2),
  LONG4(0x8b, 2),
  // Strings and bytes
  STRING('S', 0),
  BINSTRING('T', 1),
  SHORT_BINSTRING('U', 1),
  BINBYTES('B', 3),
  SHORT_BINBYTES('C', 3),
  BINBYTES8(0x8e, 4),
  BYTEARRAY8(0x96, 5),
  NEXT_BUFFER(0x97, 5),
  READONLY_BUFFER(0x98, 5),
  // Constants
  NONE('N', 0),
  NEWTRUE(0x88, 2),
  NEWFALSE(0x89, 2),
  // Unicode strings
  UNICODE('V', 0),
  SHORT_BINUNICODE(0x8c, 4),
  BINUNICODE('X', 1),
  BINUNICODE8(0x8d, 4),
  // Floats
  FLOAT('F', 0),
  BINFLOAT('G', 1),
  // Lists
  EMPTY_LIST(']', 1),
  APPEND('a', 0),
  APPENDS('e', 1),
  LIST('l', 0),
  // Tuples
  EMPTY_TUPLE(')', 1),
  TUPLE('t', 0),
  TUPLE1(0x85, 2),
  TUPLE2(0x86, 2),
  TUPLE3(0x87, 2),
  // Dicts
  EMPTY_DICT('}', 1),
  DICT('d', 0),
  SETITEM('s', 0),
  SETITEMS('u', 1),
  // Sets
  EMPTY_SET(0x8f, 4),
  ADDITEMS(0x90, 4),
  FROZENSET(0x91, 4),
  // Stack manipulation
  POP('0', 0),
  DUP('2', 0),
  MARK('(', 0),
  POP_MARK('1', 1),
  // Memo
  GET('g', 0),
  BINGET('h', 1),
  LONG_BINGET('j', 1),
  PUT('p', 0),
  BINPUT('q', 1),
  LONG_BINPUT('r', 1),
  MEMOIZE(0x94, 4),
  // Extension registry (copyreg): always refused
  EXT1(0x82, 2),
  EXT2(0x83, 2),
  EXT4(0x84, 2),
  // Objects
  GLOBAL('c', 0),
  STACK_GLOBAL(0x93, 4),
  REDUCE('R', 0),
  BUILD('b', 0),
  INST('i', 0),
  OBJ('o', 1),
  NEWOBJ(0x81, 2),
  NEWOBJ_EX(0x92, 4),
  // Machine control
  PROTO(0x80, 2),
  STOP('.', 0),
  FRAME(0x95, 4),
  // Persistent ids
  PERSID('P', 0),
  BINPERSID('Q', 1);

  private static final Opcode[] BY_CODE = new Opcode[256];

  static {
    for (Opcode op : values()) {
      if (BY_CODE[op.code] != null) {
        throw new ExceptionInInitializerError("duplicate opcode byte " + op.code);
      }
      BY_CODE[op.code] = op;
    }
  }

  private final int code;
  private final int protocol;

  Opcode(int code, int protocol) {
    this.code = code;
    this.protocol = protocol;
  }

  /** The opcode's byte value. */
  int code() {
    return code;
  }

  /** The pickle protocol that introduced it. */
  int protocol() {
    return protocol;
  }

  /** The opcode for a byte, or null when no protocol defines it. */
  static Opcode of(int b) {
    return BY_CODE[b & 0xff];
  }
}
