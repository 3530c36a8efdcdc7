/*
 * The volume analyzer's hot loop for RFC 3164 syslog lines, in C.
 *
 * count_rfc3164(block, minute) does what blockcount.count_block does with the
 * RFC 3164 key pattern (blockcount._RFC3164_KEY), without a regex and without
 * a Python object per line:
 *
 *   \n(?:<\d{1,3}>)?([A-Z][a-z]{2} [ \d]?\d \d\d(:[0-5]\d if minute)):[0-5]\d(:[0-5]\d)?
 *   (?:\.\d+)? ([^ \n\r\[]*[^ \n\r\[:]) (?:([^\s\[:]+)(?:\[[^\]\n]*\])?:)?
 *
 * Each line either matches at its start (its key is counted) or is "odd" (it
 * is returned whole, for the line parser).  In the same pass it returns the
 * lines the other analyzers read: those holding one of ``needles`` whose
 * program is one of ``programs`` (odd ones too, their program unknown), so a
 * block is not searched once per needle and kernel lines are not searched for
 * sshd's words.  Every branch below is one element
 * of that pattern, in order; where the regex could backtrack, the comment says
 * why no other choice can match.  Python's tests run both on the same blocks
 * (tests/test_keyscan.py) and require the same keys, counts and odd lines.
 *
 * Log lines are attacker-controlled: every read is checked against the line's
 * end, and a key is only ever a span of the caller's buffer.
 */
#define PY_SSIZE_T_CLEAN
#define _GNU_SOURCE /* memmem */
#include <Python.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    Py_ssize_t off, len;
} Span;

typedef struct {
    Span stamp, host, prog;
    uint64_t hash;
    Py_ssize_t count;
} Entry;

/* Distinct keys in first-appearance order (the order the year walk needs),
 * with an open-addressing index over them. */
typedef struct {
    Entry *entries;
    Py_ssize_t used, room;
    Py_ssize_t *slots; /* index into entries, or -1 */
    Py_ssize_t mask;
} Table;

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
static int is_lower(unsigned char c) { return c >= 'a' && c <= 'z'; }
static int is_0_to_5(unsigned char c) { return c >= '0' && c <= '5'; }
/* \s of a bytes pattern */
static int is_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* ":[0-5]\d" at p; the caller checked that 3 bytes are there. */
static int colon_sixty(const unsigned char *p) {
    return p[0] == ':' && is_0_to_5(p[1]) && is_digit(p[2]);
}

/* Whether the line [s, end) matches the key pattern; if so its three spans
 * (relative to base).  A tag that does not match leaves the program empty,
 * as the optional group does. */
static int parse_head(const unsigned char *base, const unsigned char *s,
                      const unsigned char *end, int minute, Span *stamp, Span *host,
                      Span *prog) {
    const unsigned char *p = s;
    if (p < end && *p == '<') {
        /* <\d{1,3}>: digits are never '>', so only the digit run's end can be it */
        const unsigned char *q = p + 1;
        while (q < end && is_digit(*q) && q - p <= 4) q++;
        if (q - p - 1 < 1 || q - p - 1 > 3 || q >= end || *q != '>') return 0;
        p = q + 1;
    }
    const unsigned char *stamp_start = p;
    if (end - p < 4 || !is_upper(p[0]) || !is_lower(p[1]) || !is_lower(p[2]) || p[3] != ' ')
        return 0;
    p += 4;
    /* [ \d]?\d then ' ': the optional char is taken when the next two fit, else
     * skipped; the two readings need p[1] a digit and p[1] a space, never both. */
    if (end - p >= 3 && (p[0] == ' ' || is_digit(p[0])) && is_digit(p[1]) && p[2] == ' ')
        p += 3;
    else if (end - p >= 2 && is_digit(p[0]) && p[1] == ' ')
        p += 2;
    else
        return 0;
    if (end - p < 2 || !is_digit(p[0]) || !is_digit(p[1])) return 0;
    p += 2;
    if (end - p < 6 || !colon_sixty(p) || !colon_sixty(p + 3)) return 0;
    const unsigned char *stamp_end = minute ? p + 3 : p;
    p += 6;
    if (p < end && *p == '.') {
        /* (?:\.\d+)?: a digit is never the ' ' that must follow, so all of them */
        const unsigned char *q = p + 1;
        while (q < end && is_digit(*q)) q++;
        if (q == p + 1) return 0; /* "." and no digit: the group is skipped, '.' is not ' ' */
        p = q;
    }
    if (p >= end || *p != ' ') return 0;
    p++;
    /* Host: the longest run of [^ \n\r\[], not ending in ':', then ' '.  A shorter
     * run would put one of its own bytes, never ' ', where the space must be. */
    const unsigned char *h = p;
    while (p < end && *p != ' ' && *p != '\r' && *p != '[') p++;
    if (p == h || p[-1] == ':' || p >= end || *p != ' ') return 0;
    stamp->off = stamp_start - base;
    stamp->len = stamp_end - stamp_start;
    host->off = h - base;
    host->len = p - h;
    p++;
    /* Tag: [^\s\[:]+ then ':' or '[...]:'; else the optional group matches nothing. */
    const unsigned char *g = p;
    while (p < end && !is_space(*p) && *p != '[' && *p != ':') p++;
    prog->off = g - base;
    prog->len = 0;
    if (p == g || p >= end) return 1;
    if (*p == ':') {
        prog->len = p - g;
    } else if (*p == '[') {
        const unsigned char *q = p + 1;
        while (q < end && *q != ']') q++; /* [^\]\n]*: a line holds no '\n' */
        if (end - q >= 2 && q[1] == ':') prog->len = p - g;
    }
    return 1;
}

static uint64_t fnv(uint64_t h, const unsigned char *p, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ULL;
    return (h ^ 0xff) * 1099511628211ULL; /* ends each span: ("a", "bc") != ("ab", "c") */
}

static int same_span(const unsigned char *base, Span a, Span b) {
    return a.len == b.len && memcmp(base + a.off, base + b.off, (size_t)a.len) == 0;
}

static int table_init(Table *t) {
    t->used = 0;
    t->room = 64;
    t->mask = 255;
    t->entries = PyMem_Malloc(sizeof(Entry) * (size_t)t->room);
    t->slots = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(t->mask + 1));
    if (!t->entries || !t->slots) return -1;
    memset(t->slots, 0xff, sizeof(Py_ssize_t) * (size_t)(t->mask + 1));
    return 0;
}

static void table_free(Table *t) {
    PyMem_Free(t->entries);
    PyMem_Free(t->slots);
}

/* Rebuild the index at twice the size: keeps it at most half full. */
static int table_grow_index(Table *t) {
    Py_ssize_t mask = t->mask * 2 + 1;
    Py_ssize_t *slots = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(mask + 1));
    if (!slots) return -1;
    memset(slots, 0xff, sizeof(Py_ssize_t) * (size_t)(mask + 1));
    for (Py_ssize_t i = 0; i < t->used; i++) {
        Py_ssize_t j = (Py_ssize_t)(t->entries[i].hash & (uint64_t)mask);
        while (slots[j] >= 0) j = (j + 1) & mask;
        slots[j] = i;
    }
    PyMem_Free(t->slots);
    t->slots = slots;
    t->mask = mask;
    return 0;
}

static int table_add(Table *t, const unsigned char *base, Span stamp, Span host, Span prog) {
    uint64_t hash = 14695981039346656037ULL;
    hash = fnv(hash, base + stamp.off, stamp.len);
    hash = fnv(hash, base + host.off, host.len);
    hash = fnv(hash, base + prog.off, prog.len);
    Py_ssize_t j = (Py_ssize_t)(hash & (uint64_t)t->mask);
    for (; t->slots[j] >= 0; j = (j + 1) & t->mask) {
        Entry *e = &t->entries[t->slots[j]];
        if (e->hash == hash && same_span(base, e->stamp, stamp) && same_span(base, e->host, host) &&
            same_span(base, e->prog, prog)) {
            e->count++;
            return 0;
        }
    }
    if (t->used == t->room) {
        Entry *grown = PyMem_Realloc(t->entries, sizeof(Entry) * (size_t)(t->room * 2));
        if (!grown) return -1;
        t->entries = grown;
        t->room *= 2;
    }
    Entry *e = &t->entries[t->used];
    e->stamp = stamp;
    e->host = host;
    e->prog = prog;
    e->hash = hash;
    e->count = 1;
    t->slots[j] = t->used++;
    if (t->used * 2 > t->mask) return table_grow_index(t);
    return 0;
}

/* Byte strings given by the caller: programs, or needles. */
typedef struct {
    Py_ssize_t count;
    const char **data;
    Py_ssize_t *len;
} Words;

static int words_init(Words *w, PyObject *tuple, const char *what) {
    w->count = PyTuple_GET_SIZE(tuple);
    w->data = PyMem_Malloc(sizeof(char *) * (size_t)(w->count + 1));
    w->len = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(w->count + 1));
    if (!w->data || !w->len) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < w->count; i++) {
        PyObject *item = PyTuple_GET_ITEM(tuple, i);
        if (!PyBytes_Check(item) || PyBytes_GET_SIZE(item) == 0) {
            PyErr_Format(PyExc_TypeError, "%s must be non-empty bytes", what);
            return -1;
        }
        w->data[i] = PyBytes_AS_STRING(item); /* the caller's tuple keeps it alive */
        w->len[i] = PyBytes_GET_SIZE(item);
    }
    return 0;
}

static void words_free(Words *w) {
    PyMem_Free(w->data);
    PyMem_Free(w->len);
}

static int is_word(const Words *w, const unsigned char *p, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < w->count; i++)
        if (w->len[i] == n && memcmp(w->data[i], p, (size_t)n) == 0) return 1;
    return 0;
}

static int holds_word(const Words *w, const unsigned char *p, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < w->count; i++)
        if (memmem(p, (size_t)n, w->data[i], (size_t)w->len[i])) return 1;
    return 0;
}

static int append_line(PyObject *list, const unsigned char *s, const unsigned char *end) {
    PyObject *line = PyBytes_FromStringAndSize((const char *)s, end - s);
    int failed = !line || PyList_Append(list, line) < 0;
    Py_XDECREF(line);
    return failed ? -1 : 0;
}

static PyObject *span_bytes(const unsigned char *base, Span s) {
    return PyBytes_FromStringAndSize((const char *)base + s.off, s.len);
}

/* {(stamp, host, program): lines}, in first-appearance order. */
static PyObject *table_dict(const Table *t, const unsigned char *base) {
    PyObject *keys = PyDict_New();
    if (!keys) return NULL;
    for (Py_ssize_t i = 0; i < t->used; i++) {
        const Entry *e = &t->entries[i];
        PyObject *key = Py_BuildValue("(NNN)", span_bytes(base, e->stamp),
                                      span_bytes(base, e->host), span_bytes(base, e->prog));
        PyObject *count = key ? PyLong_FromSsize_t(e->count) : NULL;
        int failed = !count || PyDict_SetItem(keys, key, count) < 0;
        Py_XDECREF(key);
        Py_XDECREF(count);
        if (failed) {
            Py_DECREF(keys);
            return NULL;
        }
    }
    return keys;
}

static PyObject *count_rfc3164(PyObject *Py_UNUSED(module), PyObject *args) {
    Py_buffer view;
    int minute;
    PyObject *programs_arg = NULL, *needles_arg = NULL;
    if (!PyArg_ParseTuple(args, "y*p|O!O!:count_rfc3164", &view, &minute, &PyTuple_Type,
                          &programs_arg, &PyTuple_Type, &needles_arg))
        return NULL;
    const unsigned char *base = view.buf, *s = base, *stop = base + view.len;
    Py_ssize_t size = view.len, lines = 0;
    PyObject *odd = NULL, *wanted = NULL, *keys = NULL, *result = NULL;
    Table table = {0};
    Words programs = {0}, needles = {0};
    if (size > 0 && base[size - 1] != '\n') {
        PyErr_SetString(PyExc_ValueError, "a block must end with a newline");
        goto done;
    }
    if ((programs_arg && words_init(&programs, programs_arg, "programs") < 0) ||
        (needles_arg && words_init(&needles, needles_arg, "needles") < 0))
        goto done;
    if (table_init(&table) < 0) {
        PyErr_NoMemory();
        goto done;
    }
    odd = PyList_New(0);
    wanted = PyList_New(0);
    if (!odd || !wanted) goto done;
    while (s < stop) {
        const unsigned char *end = memchr(s, '\n', (size_t)(stop - s)); /* never NULL: see above */
        Span stamp = {0, 0}, host = {0, 0}, prog = {0, 0};
        lines++;
        int counted = parse_head(base, s, end, minute, &stamp, &host, &prog);
        if (counted && table_add(&table, base, stamp, host, prog) < 0) {
            PyErr_NoMemory();
            goto done;
        }
        if (!counted && append_line(odd, s, end) < 0) goto done;
        /* An odd line's program is the parser's to find: it is searched whatever it is. */
        int candidate = !counted || is_word(&programs, base + prog.off, prog.len);
        if (candidate && holds_word(&needles, s, end - s) && append_line(wanted, s, end) < 0)
            goto done;
        s = end + 1;
    }
    keys = table_dict(&table, base);
    if (keys) result = Py_BuildValue("(nOOO)", lines, keys, odd, wanted);
done:
    Py_XDECREF(keys);
    Py_XDECREF(odd);
    Py_XDECREF(wanted);
    table_free(&table);
    words_free(&programs);
    words_free(&needles);
    PyBuffer_Release(&view);
    return result;
}

static PyMethodDef methods[] = {
    {"count_rfc3164", count_rfc3164, METH_VARARGS,
     "count_rfc3164(block, minute, programs=(), needles=())\n"
     "-> (lines, {(stamp, host, program): lines}, odd lines, wanted lines)\n\n"
     "The keys of a block of whole RFC 3164 lines, as blockcount's key pattern finds them,\n"
     "and the lines holding a needle whose program is one of programs (or that are odd)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    .m_base = PyModuleDef_HEAD_INIT,
    .m_name = "logsweep._keyscan",
    .m_doc = "The volume analyzer's hot loop for RFC 3164 lines (see blockcount.py).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__keyscan(void) { return PyModule_Create(&module); }
