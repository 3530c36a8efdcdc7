/*
 * The volume analyzer's hot loop, in C: the key patterns of blockcount.py for
 * RFC 3164 lines (syslog, auth.log, kern.log) and access logs, without a regex
 * and without a Python object per line.
 *
 * count_rfc3164(block, minute, groups) does what count_block does
 * with blockcount._RFC3164_KEY:
 *
 *   \n(?:<\d{1,3}>)?([A-Z][a-z]{2} [ \d]?\d \d\d{M}):[0-5]\d{S}
 *   (?:\.\d+)? ([^ \n\r\[]*[^ \n\r\[:]) (?:([^\s\[:]+)(?:\[[^\]\n]*\])?:)?
 *
 * count_access(block, minute, groups) with blockcount._ACCESS_KEY:
 *
 *   \n\S+ \S+ (?:\S+|"[^"\n]*") \[(\d\d/[A-Z][a-z]{2}/\d{4}:\d\d{M}):[0-5]\d{S}
 *   \x20([+-]\d{4})\] "[^"\\\n]*(?:\\[^\n][^"\\\n]*)*" (?:\d{3}|-) \S
 *
 * where {M} is ":[0-5]\d" and {S} empty when ``minute`` (minute keys), else {M}
 * is empty and {S} is ":[0-5]\d" (hour keys).
 *
 * Each line either matches at its start (its key is counted) or is "odd" (it
 * is returned whole, for the line parser).  In the same pass they return the
 * lines the other analyzers read, given as ``groups``, one (programs, needles)
 * per analyzer: a line holding one of a group's needles, for RFC 3164 only in
 * lines of the group's programs (and in odd ones, whose program is the
 * parser's to find).  So a block is not searched once per needle, and kernel
 * lines are not searched for sshd's words.
 *
 * Every branch below is one element of those patterns, in order; where the
 * regex could backtrack, the comment says why no other choice can match.
 * Python's tests run both on the same blocks (tests/test_keyscan.py) and
 * require the same keys in the same order, counts, odd and wanted lines.
 *
 * Log lines are attacker-controlled: every read is checked against the line's
 * end, and a key is only ever a span of the caller's buffer.
 */
#include "_lines.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* The access key pattern from the "[" of the time stamp on; on a match, the
 * stamp's and the offset's spans. */
static int access_from_bracket(const unsigned char *base, const unsigned char *p,
                               const unsigned char *end, int minute, Span *key) {
    /* \[(\d\d/[A-Z][a-z]{2}/\d{4}:\d\d: fixed width, 15 bytes */
    if (end - p < 15 || p[0] != '[') return 0;
    const unsigned char *stamp = ++p;
    if (!is_digit(p[0]) || !is_digit(p[1]) || p[2] != '/' || !is_upper(p[3]) ||
        !is_lower(p[4]) || !is_lower(p[5]) || p[6] != '/' || !is_digit(p[7]) ||
        !is_digit(p[8]) || !is_digit(p[9]) || !is_digit(p[10]) || p[11] != ':' ||
        !is_digit(p[12]) || !is_digit(p[13]))
        return 0;
    p += 14;
    if (end - p < 6 || !colon_sixty(p) || !colon_sixty(p + 3)) return 0;
    const unsigned char *stamp_end = minute ? p + 3 : p;
    p += 6;
    /* ([+-]\d{4})\] " */
    if (end - p < 9 || p[0] != ' ' || (p[1] != '+' && p[1] != '-') || !is_digit(p[2]) ||
        !is_digit(p[3]) || !is_digit(p[4]) || !is_digit(p[5]) || p[6] != ']' || p[7] != ' ' ||
        p[8] != '"')
        return 0;
    const unsigned char *offset = p + 1;
    p += 9;
    /* The request, to its closing quote: [^"\\\n]*(?:\\[^\n][^"\\\n]*)* takes a
     * backslash with the byte after it, so an escaped quote never closes it, and
     * no other reading of the bytes exists. */
    while (p < end && *p != '"') {
        if (*p == '\\') {
            if (end - p < 2) return 0;
            p += 2;
        } else {
            p++;
        }
    }
    if (p >= end) return 0;
    p++;
    /* (?:\d{3}|-) \S */
    if (end - p >= 5 && p[0] == ' ' && is_digit(p[1]) && is_digit(p[2]) && is_digit(p[3]) &&
        p[4] == ' ')
        p += 5;
    else if (end - p >= 3 && p[0] == ' ' && p[1] == '-' && p[2] == ' ')
        p += 3;
    else
        return 0;
    if (p >= end || is_space(*p)) return 0;
    key[0].off = stamp - base;
    key[0].len = stamp_end - stamp;
    key[1].off = offset - base;
    key[1].len = 5;
    return 1;
}

/* Whether the line [s, end) matches the access key pattern; if so (stamp, offset). */
static int parse_access(const unsigned char *base, const unsigned char *s,
                        const unsigned char *end, int minute, Span *key) {
    const unsigned char *p = s;
    /* \S+ \S+ : each the whole run of non-space bytes (a shorter run would leave a
     * non-space byte where the ' ' must be) */
    for (int field = 0; field < 2; field++) {
        const unsigned char *f = p;
        while (p < end && !is_space(*p)) p++;
        if (p == f || p >= end || *p != ' ') return 0;
        p++;
    }
    /* (?:\S+|"[^"\n]*") \[ : the run of non-space bytes first, as the regex tries it;
     * if the rest fails from there, a quoted field read to its first closing quote. */
    const unsigned char *f = p;
    while (p < end && !is_space(*p)) p++;
    if (p > f && p < end && *p == ' ' && access_from_bracket(base, p + 1, end, minute, key))
        return 1;
    if (f < end && *f == '"') {
        const unsigned char *q = f + 1;
        while (q < end && *q != '"') q++;
        if (end - q >= 2 && q[1] == ' ') return access_from_bracket(base, q + 2, end, minute, key);
    }
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

/* Whether ``needle`` (n >= 1 bytes) occurs in [p, end).  A line is ~100 bytes and a
 * needle a few, so glibc's memmem spends more setting up than searching; this
 * compares 16 candidate starts at once on their first and last bytes (SSE2, in
 * every x86-64), then the whole needle where both agree.  No read leaves [p, end). */
static int contains(const unsigned char *p, const unsigned char *end, const char *needle,
                    Py_ssize_t n) {
    if (end - p < n) return 0;
    const unsigned char first = (unsigned char)needle[0], last = (unsigned char)needle[n - 1];
    Py_ssize_t starts = end - p - n + 1; /* a match may start at p[0] .. p[starts - 1] */
    Py_ssize_t i = 0;
#if defined(__SSE2__)
    if (starts >= 16) {
        const __m128i want_first = _mm_set1_epi8((char)first), want_last = _mm_set1_epi8((char)last);
        /* Rounds of 16 starts from 0; the last round, at starts - 16, may overlap the one
         * before it (a few starts checked twice) so that no start is left over. */
        const Py_ssize_t last_round = starts - 16;
        for (;; i = i + 16 < last_round ? i + 16 : last_round) {
            /* starts i .. i + 15: their first bytes and their last bytes, both in range */
            __m128i a = _mm_loadu_si128((const __m128i *)(p + i));
            __m128i b = _mm_loadu_si128((const __m128i *)(p + i + n - 1));
            __m128i both = _mm_and_si128(_mm_cmpeq_epi8(a, want_first), _mm_cmpeq_epi8(b, want_last));
            for (unsigned mask = (unsigned)_mm_movemask_epi8(both); mask; mask &= mask - 1)
                if (memcmp(p + i + __builtin_ctz(mask), needle, (size_t)n) == 0) return 1;
            if (i == last_round) return 0;
        }
    }
#endif
    for (; i < starts; i++)
        if (p[i] == first && p[i + n - 1] == last && memcmp(p + i, needle, (size_t)n) == 0) return 1;
    return 0;
}

static int holds_word(const Words *w, const unsigned char *p, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < w->count; i++)
        if (contains(p, p + n, w->data[i], w->len[i])) return 1;
    return 0;
}

/* What one analyzer reads: lines of one of its programs (any, for an access log or
 * ``programs`` None) holding one of its needles. */
typedef struct {
    int any_program;
    Words programs, needles;
} Group;

typedef struct {
    Py_ssize_t count;
    Group *group;
} Groups;

static int groups_init(Groups *g, PyObject *tuple) {
    g->count = PyTuple_GET_SIZE(tuple);
    g->group = PyMem_Calloc((size_t)g->count + 1, sizeof(Group));
    if (!g->group) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < g->count; i++) {
        PyObject *item = PyTuple_GET_ITEM(tuple, i);
        PyObject *programs, *needles;
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
            PyErr_SetString(PyExc_TypeError, "a group is (programs or None, needles)");
            return -1;
        }
        programs = PyTuple_GET_ITEM(item, 0);
        needles = PyTuple_GET_ITEM(item, 1);
        Group *one = &g->group[i];
        one->any_program = programs == Py_None;
        if ((!one->any_program && !PyTuple_Check(programs)) || !PyTuple_Check(needles)) {
            PyErr_SetString(PyExc_TypeError, "a group is (programs or None, needles)");
            return -1;
        }
        if ((!one->any_program && words_init(&one->programs, programs, "programs") < 0) ||
            words_init(&one->needles, needles, "needles") < 0)
            return -1;
    }
    return 0;
}

static void groups_free(Groups *g) {
    for (Py_ssize_t i = 0; g->group && i < g->count; i++) {
        words_free(&g->group[i].programs);
        words_free(&g->group[i].needles);
    }
    PyMem_Free(g->group);
}

/* Whether a line [s, end) is one a group reads.  ``program`` NULL: the line's
 * program is unknown (an odd line, or an access log): any group's needle will do. */
static int wanted_line(const Groups *g, const unsigned char *program, Py_ssize_t program_len,
                       const unsigned char *s, const unsigned char *end) {
    for (Py_ssize_t i = 0; i < g->count; i++) {
        const Group *one = &g->group[i];
        int mine = !program || one->any_program || is_word(&one->programs, program, program_len);
        if (mine && holds_word(&one->needles, s, end - s)) return 1;
    }
    return 0;
}

static int append_line(PyObject *list, const unsigned char *s, const unsigned char *end) {
    PyObject *line = PyBytes_FromStringAndSize((const char *)s, end - s);
    int failed = !line || PyList_Append(list, line) < 0;
    Py_XDECREF(line);
    return failed ? -1 : 0;
}

/* One pass over a block: see the top of this file.  ``parse`` is the key pattern;
 * ``by_program`` says whether key[2] is the program the groups' programs filter. */
typedef int (*Parse)(const unsigned char *, const unsigned char *, const unsigned char *, int,
                     Span *);

static PyObject *scan_block(Py_buffer *view, int minute, Parse parse, int width, int by_program,
                            PyObject *groups_arg) {
    const unsigned char *base = view->buf, *s = base, *stop = base + view->len;
    Py_ssize_t lines = 0;
    PyObject *odd = NULL, *wanted = NULL, *keys = NULL, *result = NULL;
    Table table = {0};
    Groups groups = {0, NULL};
    if (view->len > 0 && base[view->len - 1] != '\n') {
        PyErr_SetString(PyExc_ValueError, "a block must end with a newline");
        goto done;
    }
    if (groups_arg && groups_init(&groups, groups_arg) < 0) goto done;
    if (table_init(&table, width) < 0) {
        PyErr_NoMemory();
        goto done;
    }
    odd = PyList_New(0);
    wanted = PyList_New(0);
    if (!odd || !wanted) goto done;
    while (s < stop) {
        const unsigned char *end = memchr(s, '\n', (size_t)(stop - s)); /* never NULL: see above */
        Span key[MAX_WIDTH] = {{0, 0}, {0, 0}, {0, 0}};
        lines++;
        int counted = parse(base, s, end, minute, key);
        if (counted && table_add(&table, base, key, 1) < 0) {
            PyErr_NoMemory();
            goto done;
        }
        if (!counted && append_line(odd, s, end) < 0) goto done;
        const unsigned char *program = counted && by_program ? base + key[2].off : NULL;
        if (wanted_line(&groups, program, key[2].len, s, end) && append_line(wanted, s, end) < 0)
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
    groups_free(&groups);
    return result;
}

static PyObject *count_rfc3164(PyObject *Py_UNUSED(module), PyObject *args) {
    Py_buffer view;
    int minute;
    PyObject *groups = NULL;
    if (!PyArg_ParseTuple(args, "y*p|O!:count_rfc3164", &view, &minute, &PyTuple_Type, &groups))
        return NULL;
    PyObject *result = scan_block(&view, minute, parse_rfc3164, 3, 1, groups);
    PyBuffer_Release(&view);
    return result;
}

static PyObject *count_access(PyObject *Py_UNUSED(module), PyObject *args) {
    Py_buffer view;
    int minute;
    PyObject *groups = NULL;
    if (!PyArg_ParseTuple(args, "y*p|O!:count_access", &view, &minute, &PyTuple_Type, &groups))
        return NULL;
    PyObject *result = scan_block(&view, minute, parse_access, 2, 0, groups);
    PyBuffer_Release(&view);
    return result;
}

static PyMethodDef methods[] = {
    {"count_rfc3164", count_rfc3164, METH_VARARGS,
     "count_rfc3164(block, minute, groups=())\n"
     "-> (lines, {(stamp, host, program): lines}, odd lines, wanted lines)\n\n"
     "The keys of a block of whole RFC 3164 lines, as blockcount's key pattern finds them,\n"
     "and the lines a group (programs or None, needles) reads: of one of its programs\n"
     "(any for None, or an odd line), holding one of its needles."},
    {"count_access", count_access, METH_VARARGS,
     "count_access(block, minute, groups=())\n"
     "-> (lines, {(stamp, offset): lines}, odd lines, wanted lines)\n\n"
     "The keys of a block of whole access-log lines, as blockcount's key pattern finds them,\n"
     "and the lines holding one of a group's needles (programs do not apply)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    .m_base = PyModuleDef_HEAD_INIT,
    .m_name = "logsweep._keyscan",
    .m_doc = "The volume analyzer's hot loop for RFC 3164 and access lines (see blockcount.py).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__keyscan(void) { return PyModule_Create(&module); }
