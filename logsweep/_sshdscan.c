/*
 * sshd's rules (analyzers/sshd.py) over a block's needle lines, in C, for the
 * shapes sshd really writes; every other line is left to Python.
 *
 * sshd_events(lines, minute) reads each line of ``lines`` (the block's needle
 * lines, each ending in '\n') and gives one of three verdicts:
 *
 * - an event: the line has the canonical RFC 3164 head (as the volume
 *   kernel reads it, with one of sshd's programs, then "[pid]:" or ":" and
 *   an optional space) and its message is one of the common shapes below.
 *   For such a line the rule's regex, tried by message_event, takes exactly
 *   the fields read here;
 * - no event: canonical head, and a message that no rule can match, because
 *   every rule is anchored at the message's start on a literal (RULE_STARTS)
 *   and the message starts with none of them (e.g. "Connection closed by
 *   invalid user ...", which holds a needle);
 * - undecided: anything else.  sshd.read_lines sends those lines to the
 *   parser, whose result is the reference.
 *
 * Only printable ASCII lines are judged: Python's \s, \d, \w and \b then mean
 * plain ASCII classes, and a line with a NUL run or a CR (which the parser
 * cleans) is undecided.  The shapes, after an optional "message repeated N
 * times: [ " whose inner message then ends before the line's final ']':
 *
 *   Failed METHOD for [invalid user |illegal user ]USER from IP TAIL
 *   Invalid user USER from IP TAIL              (also "invalid user")
 *   Accepted METHOD for USER from IP TAIL
 *   pam_unix(sshd:auth): authentication failure;...rhost=RHOST...
 *
 * with USER and IP runs of non-space bytes, METHOD [\w-]+(/[\w-]+)?, and TAIL
 * "[ port N][ ssh[D]]" then the end, ": " and anything, or " [preauth]" and
 * the end.  Why the regex reads the same: the user is lazy (.*?), and a user
 * without a space is followed by the first " from " of the message; from
 * there the regex's first choices (every optional part taken, every run
 * longest) are the ones read here, and they reach the end, so the regex
 * takes them.  tests/test_sshdscan.py holds this to message_event on lines
 * built piece by piece and on arbitrary bytes.
 *
 * sshd_counts(lines, minute) reads the lines the same way and adds the events
 * up per stamp, into the counters sshd.add_read adds to a partial: the scan
 * uses it, and the tests hold it to sshd_events' events counted one by one.
 */
#include "_lines.h"

enum Rule { FAILED, INVALID_USER, PAM_UNIX, ACCEPTED, RULES };
static const char *const RULE_NAMES[RULES] = {"failed", "invalid_user", "pam_unix", "accepted"};
static const int FIELDS[RULES] = {3, 2, 1, 3}; /* (method, user, ip), (user, ip), (rhost,) */

/* The literal each rule's regex starts with (sshd.RULES, in order); a message
 * starting with none of them matches no rule. */
static const char *const RULE_STARTS[] = {
    "Failed ",      "error: PAM: ", "Invalid user ", "invalid user ", "pam_unix(sshd:auth): ",
    "authentication failure;",      "Accepted ",     NULL,
};
static const char *const PROGRAMS[] = {"sshd", "sshd-session", "sshd-auth", "sshd(pam_unix)",
                                       NULL};

typedef enum { NO_EVENT, EVENT, UNDECIDED } Verdict;

typedef struct {
    enum Rule rule;
    Py_ssize_t count;
    Span key[MAX_WIDTH]; /* the stamp, then the rule's fields */
} Event;

static int starts_with(const unsigned char *p, const unsigned char *end, const char *literal) {
    size_t n = strlen(literal);
    return (size_t)(end - p) >= n && memcmp(p, literal, n) == 0;
}

static int printable_ascii(const unsigned char *s, const unsigned char *end) {
    for (; s < end; s++)
        if (*s < 0x20 || *s > 0x7e) return 0;
    return 1;
}

static int is_word_byte(unsigned char c) {
    return is_digit(c) || is_upper(c) || is_lower(c) || c == '_';
}

static const unsigned char *skip_word_run(const unsigned char *p, const unsigned char *end) {
    while (p < end && (is_word_byte(*p) || *p == '-')) p++;
    return p;
}

static const unsigned char *skip_non_space(const unsigned char *p, const unsigned char *end) {
    while (p < end && *p != ' ') p++;
    return p;
}

static Span span(const unsigned char *base, const unsigned char *from, const unsigned char *to) {
    Span s = {from - base, to - from};
    return s;
}

/* The message's start after the head: stamp, host and program as the key pattern
 * reads them (parse_rfc3164), the program one of sshd's, followed by "[pid]:" or
 * ":", then an optional space.  NULL: no such head. */
static const unsigned char *sshd_head(const unsigned char *base, const unsigned char *s,
                                      const unsigned char *end, int minute, Span *stamp) {
    Span key[MAX_WIDTH];
    if (!parse_rfc3164(base, s, end, minute, key) || key[2].len == 0) return NULL;
    const unsigned char *program = base + key[2].off, *p = program + key[2].len;
    int known = 0;
    for (int i = 0; PROGRAMS[i]; i++)
        known |= (size_t)key[2].len == strlen(PROGRAMS[i]) &&
                 memcmp(program, PROGRAMS[i], (size_t)key[2].len) == 0;
    if (!known) return NULL;
    if (*p == '[') p = memchr(p, ']', (size_t)(end - p)) + 1; /* parse_rfc3164 found "]:" */
    p++;                                                      /* ':' */
    if (p < end && *p == ' ') p++;
    *stamp = key[0];
    return p;
}

/* TAIL from p: (?: port \d+)?(?: ssh\d?)? then the end, ":" and a space, or " [preauth]"
 * and the end (the regex allows more: trailing spaces, "\s" other than ' '). */
static int tail_ends_well(const unsigned char *p, const unsigned char *end) {
    if (starts_with(p, end, " port ") && end - p > 6 && is_digit(p[6])) {
        p += 6;
        while (p < end && is_digit(*p)) p++;
    }
    if (starts_with(p, end, " ssh")) {
        p += 4;
        if (p < end && is_digit(*p)) p++;
    }
    if (p == end || starts_with(p, end, ": ")) return 1;
    return end - p == 10 && memcmp(p, " [preauth]", 10) == 0;
}

/* USER from IP TAIL, from p to the message's end. */
static Verdict user_from_ip(const unsigned char *base, const unsigned char *p,
                            const unsigned char *end, Span *user, Span *ip) {
    const unsigned char *u = skip_non_space(p, end);
    if (u == p || !starts_with(u, end, " from ")) return UNDECIDED;
    const unsigned char *a = u + 6, *b = skip_non_space(a, end);
    if (b == a || !tail_ends_well(b, end)) return UNDECIDED;
    *user = span(base, p, u);
    *ip = span(base, a, b);
    return EVENT;
}

/* METHOD then " for ", from p; NULL if not so. */
static const unsigned char *method_for(const unsigned char *base, const unsigned char *p,
                                       const unsigned char *end, Span *method) {
    const unsigned char *m = skip_word_run(p, end);
    if (m == p) return NULL;
    if (m < end && *m == '/') {
        const unsigned char *n = skip_word_run(m + 1, end);
        if (n == m + 1) return NULL;
        m = n;
    }
    if (!starts_with(m, end, " for ")) return NULL;
    *method = span(base, p, m);
    return m + 5;
}

/* pam_unix's rhost: the first "rhost=" after p at a word boundary, and its run of
 * non-space bytes (the regex's lazy .*?\brhost=(\S+) would go on past an empty one). */
static Verdict rhost(const unsigned char *base, const unsigned char *p, const unsigned char *end,
                     Span *field) {
    while ((p = memmem(p, (size_t)(end - p), "rhost=", 6)) != NULL) {
        if (!is_word_byte(p[-1])) {
            const unsigned char *a = p + 6, *b = skip_non_space(a, end);
            if (b == a) return UNDECIDED;
            *field = span(base, a, b);
            return EVENT;
        }
        p += 6;
    }
    return UNDECIDED;
}

/* The message [p, end): the rule and fields of one of the shapes above. */
static Verdict read_message(const unsigned char *base, const unsigned char *p,
                            const unsigned char *end, Event *event) {
    Span *field = &event->key[1];
    event->count = 1;
    if (starts_with(p, end, "[ID ")) return UNDECIDED; /* message_event strips it first */
    if (starts_with(p, end, "message repeated ")) {
        /* message repeated (\d+) times: \[\s?(.*)\]\s*$ with one space and no trailing one */
        const unsigned char *d = p + 17, *q = d;
        while (q < end && is_digit(*q) && q - d < 9) q++;
        if (q == d || !starts_with(q, end, " times: [ ") || end[-1] != ']' || end - q < 11)
            return UNDECIDED;
        event->count = strtol((const char *)d, NULL, 10); /* stops at the ' ' after the digits */
        p = q + 10;
        end--;
    }
    if (starts_with(p, end, "Failed ")) {
        event->rule = FAILED;
        p = method_for(base, p + 7, end, &field[0]);
        if (!p) return UNDECIDED;
        if (starts_with(p, end, "invalid user ") || starts_with(p, end, "illegal user ")) p += 13;
        return user_from_ip(base, p, end, &field[1], &field[2]);
    }
    if (starts_with(p, end, "Invalid user ") || starts_with(p, end, "invalid user ")) {
        event->rule = INVALID_USER;
        return user_from_ip(base, p + 13, end, &field[0], &field[1]);
    }
    if (starts_with(p, end, "Accepted ")) {
        event->rule = ACCEPTED;
        p = method_for(base, p + 9, end, &field[0]);
        return p ? user_from_ip(base, p, end, &field[1], &field[2]) : UNDECIDED;
    }
    if (starts_with(p, end, "pam_unix(sshd:auth): authentication failure;")) {
        event->rule = PAM_UNIX;
        return rhost(base, p + 44, end, &field[0]);
    }
    for (int i = 0; RULE_STARTS[i]; i++)
        if (starts_with(p, end, RULE_STARTS[i])) return UNDECIDED;
    return NO_EVENT;
}

static Verdict read_line(const unsigned char *base, const unsigned char *s,
                         const unsigned char *end, int minute, Event *event) {
    if (!printable_ascii(s, end)) return UNDECIDED;
    const unsigned char *message = sshd_head(base, s, end, minute, &event->key[0]);
    return message ? read_message(base, message, end, event) : UNDECIDED;
}

/* [(stamp, (rule, fields, lines))]: the stamp bytes, as the volume kernel keys it; the
 * fields str (printable ASCII, so each byte is its character). */
static PyObject *events_list(const Table *tables, const unsigned char *base) {
    PyObject *events = PyList_New(0);
    for (int r = 0; events && r < RULES; r++) {
        PyObject *rule = PyUnicode_InternFromString(RULE_NAMES[r]);
        for (Py_ssize_t i = 0; rule && i < tables[r].used; i++) {
            const Entry *e = &tables[r].entries[i];
            PyObject *fields = PyTuple_New(FIELDS[r]);
            for (int k = 0; fields && k < FIELDS[r]; k++) {
                Span f = e->part[k + 1];
                PyObject *text = PyUnicode_DecodeASCII((const char *)base + f.off, f.len, NULL);
                if (!text) Py_CLEAR(fields);
                else PyTuple_SET_ITEM(fields, k, text);
            }
            PyObject *stamp = fields ? span_bytes(base, e->part[0]) : NULL;
            PyObject *item = stamp ? Py_BuildValue("(N(ONn))", stamp, rule, fields, e->count) : NULL;
            if (!stamp) Py_XDECREF(fields);
            if (!item || PyList_Append(events, item) < 0) Py_CLEAR(events);
            Py_XDECREF(item);
        }
        if (!rule) Py_CLEAR(events);
        Py_XDECREF(rule);
    }
    return events;
}

/* Counts ``n`` more of ``key`` in the dict ``counter``. */
static int add_count(PyObject *counter, PyObject *key, Py_ssize_t n) {
    PyObject *old = PyDict_GetItemWithError(counter, key); /* borrowed */
    if (!old && PyErr_Occurred()) return -1;
    Py_ssize_t total = n;
    if (old) {
        total += PyLong_AsSsize_t(old);
        if (PyErr_Occurred()) return -1;
    }
    PyObject *value = PyLong_FromSsize_t(total);
    int failed = !value || PyDict_SetItem(counter, key, value) < 0;
    Py_XDECREF(value);
    return failed ? -1 : 0;
}

static PyObject *field_text(const unsigned char *base, Span f) {
    return PyUnicode_DecodeASCII((const char *)base + f.off, f.len, NULL);
}

/* A stamp's counts, as sshd.add_read adds them to a partial: [failures, {ip: n},
 * {user: n}, {invalid user: n}, {pam_unix rhost: n}, {(user, ip, method): n}]. */
enum { FAILURES, BY_IP, BY_USER, INVALID, PAM_RHOST, ACCEPTED_BY, SLOTS };

/* The stamp's counts in ``by_stamp`` (borrowed), made empty on first use. */
static PyObject *stamp_counts(PyObject *by_stamp, const unsigned char *base, Span stamp) {
    PyObject *key = span_bytes(base, stamp);
    if (!key) return NULL;
    PyObject *counts = PyDict_GetItemWithError(by_stamp, key);
    if (!counts && !PyErr_Occurred()) {
        counts = Py_BuildValue("[n{}{}{}{}{}]", (Py_ssize_t)0);
        if (counts && PyDict_SetItem(by_stamp, key, counts) < 0) Py_CLEAR(counts);
        Py_XDECREF(counts); /* the dict holds it */
    }
    Py_DECREF(key);
    return counts;
}

static int add_failures(PyObject *counts, Py_ssize_t n) {
    Py_ssize_t total = PyLong_AsSsize_t(PyList_GET_ITEM(counts, FAILURES)) + n;
    PyObject *value = PyLong_FromSsize_t(total);
    if (!value) return -1;
    return PyList_SetItem(counts, FAILURES, value); /* steals value, releases the old */
}

/* One table entry (a distinct (stamp, fields) of ``rule``) into its stamp's counts. */
static int count_entry(PyObject *counts, enum Rule rule, const Entry *e,
                       const unsigned char *base) {
    PyObject *a = NULL, *b = NULL, *c = NULL, *key = NULL;
    int failed = -1;
    Py_ssize_t n = e->count;
    switch (rule) {
    case FAILED: /* (stamp, method, user, ip) */
        a = field_text(base, e->part[2]);
        b = field_text(base, e->part[3]);
        failed = !a || !b || add_failures(counts, n) < 0 ||
                 add_count(PyList_GET_ITEM(counts, BY_IP), b, n) < 0 ||
                 add_count(PyList_GET_ITEM(counts, BY_USER), a, n) < 0;
        break;
    case INVALID_USER: /* (stamp, user, ip) */
        a = field_text(base, e->part[1]);
        failed = !a || add_count(PyList_GET_ITEM(counts, INVALID), a, n) < 0;
        break;
    case PAM_UNIX: /* (stamp, rhost) */
        a = field_text(base, e->part[1]);
        failed = !a || add_count(PyList_GET_ITEM(counts, PAM_RHOST), a, n) < 0;
        break;
    case ACCEPTED: /* (stamp, method, user, ip): keyed (user, ip, method) */
        a = field_text(base, e->part[2]);
        b = field_text(base, e->part[3]);
        c = field_text(base, e->part[1]);
        key = a && b && c ? PyTuple_Pack(3, a, b, c) : NULL;
        failed = !key || add_count(PyList_GET_ITEM(counts, ACCEPTED_BY), key, n) < 0;
        break;
    default:
        PyErr_SetString(PyExc_SystemError, "unknown sshd rule");
    }
    Py_XDECREF(a);
    Py_XDECREF(b);
    Py_XDECREF(c);
    Py_XDECREF(key);
    return failed ? -1 : 0;
}

/* {stamp: (failures, by_ip, by_user, invalid users, pam rhosts, accepted)}: the events
 * added up per stamp, so Python adds a stamp's counters, not one event at a time. */
static PyObject *counts_dict(const Table *tables, const unsigned char *base) {
    PyObject *by_stamp = PyDict_New();
    for (int r = 0; by_stamp && r < RULES; r++) {
        for (Py_ssize_t i = 0; i < tables[r].used; i++) {
            const Entry *e = &tables[r].entries[i];
            PyObject *counts = stamp_counts(by_stamp, base, e->part[0]);
            if (!counts || count_entry(counts, (enum Rule)r, e, base) < 0) {
                Py_CLEAR(by_stamp);
                break;
            }
        }
    }
    PyObject *stamp, *counts;
    Py_ssize_t pos = 0;
    while (by_stamp && PyDict_Next(by_stamp, &pos, &stamp, &counts)) {
        PyObject *frozen = PyList_AsTuple(counts);
        if (!frozen || PyDict_SetItem(by_stamp, stamp, frozen) < 0) Py_CLEAR(by_stamp);
        Py_XDECREF(frozen);
    }
    return by_stamp;
}

typedef PyObject *(*Shape)(const Table *, const unsigned char *);

/* Reads every line of ``lines`` (see the top of this file) and returns what ``shape``
 * makes of the events' tables, with the indices of the lines left undecided. */
static PyObject *read_lines(PyObject *args, const char *format, Shape shape) {
    Py_buffer view;
    int minute;
    if (!PyArg_ParseTuple(args, format, &view, &minute)) return NULL;
    const unsigned char *base = view.buf, *s = base, *stop = base + view.len;
    PyObject *undecided = NULL, *events = NULL, *result = NULL;
    Table tables[RULES];
    int ready = 0;
    if (view.len > 0 && base[view.len - 1] != '\n') {
        PyErr_SetString(PyExc_ValueError, "lines must end with a newline");
        goto done;
    }
    for (; ready < RULES; ready++)
        if (table_init(&tables[ready], 1 + FIELDS[ready]) < 0) {
            table_free(&tables[ready]);
            PyErr_NoMemory();
            goto done;
        }
    undecided = PyList_New(0);
    if (!undecided) goto done;
    for (Py_ssize_t index = 0; s < stop; index++) {
        const unsigned char *end = memchr(s, '\n', (size_t)(stop - s)); /* never NULL: see above */
        Event event;
        Verdict verdict = read_line(base, s, end, minute, &event);
        if (verdict == EVENT && table_add(&tables[event.rule], base, event.key, event.count) < 0) {
            PyErr_NoMemory();
            goto done;
        }
        if (verdict == UNDECIDED) {
            PyObject *i = PyLong_FromSsize_t(index);
            int failed = !i || PyList_Append(undecided, i) < 0;
            Py_XDECREF(i);
            if (failed) goto done;
        }
        s = end + 1;
    }
    events = shape(tables, base);
    if (events) result = PyTuple_Pack(2, events, undecided);
done:
    Py_XDECREF(events);
    Py_XDECREF(undecided);
    for (int r = 0; r < ready; r++) table_free(&tables[r]);
    PyBuffer_Release(&view);
    return result;
}

static PyObject *sshd_events(PyObject *Py_UNUSED(module), PyObject *args) {
    return read_lines(args, "y*p:sshd_events", events_list);
}

static PyObject *sshd_counts(PyObject *Py_UNUSED(module), PyObject *args) {
    return read_lines(args, "y*p:sshd_counts", counts_dict);
}

static PyMethodDef methods[] = {
    {"sshd_events", sshd_events, METH_VARARGS,
     "sshd_events(lines, minute)\n"
     "-> ([(stamp, (rule, fields, lines))], indices of the lines left undecided)\n\n"
     "sshd's events in lines (each ending in a newline) of the shapes sshd writes;\n"
     "stamps to the hour, or to the minute.  See the top of _sshdscan.c."},
    {"sshd_counts", sshd_counts, METH_VARARGS,
     "sshd_counts(lines, minute)\n"
     "-> ({stamp: (failures, {ip: n}, {user: n}, {invalid user: n}, {rhost: n},\n"
     "             {(user, ip, method): n})}, indices of the lines left undecided)\n\n"
     "sshd_events' events added up per stamp, as sshd.add_read counts them."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    .m_base = PyModuleDef_HEAD_INIT,
    .m_name = "logsweep._sshdscan",
    .m_doc = "sshd's rules over the common shapes of its lines (see analyzers/sshd.py).",
    .m_size = -1,
    .m_methods = methods,
};

/* RULE_STARTS is the module's too: a test checks every rule's regex starts so. */
PyMODINIT_FUNC PyInit__sshdscan(void) {
    Py_ssize_t n = 0;
    while (RULE_STARTS[n]) n++;
    PyObject *m = PyModule_Create(&module), *starts = PyTuple_New(n);
    for (Py_ssize_t i = 0; starts && i < n; i++) {
        PyObject *one = PyUnicode_FromString(RULE_STARTS[i]);
        if (!one) Py_CLEAR(starts);
        else PyTuple_SET_ITEM(starts, i, one);
    }
    if (!m || !starts || PyModule_AddObject(m, "RULE_STARTS", starts) < 0) {
        Py_XDECREF(starts);
        Py_XDECREF(m);
        return NULL;
    }
    return m;
}
