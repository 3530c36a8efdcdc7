/*
 * What the C kernels share (_keyscan.c, _sshdscan.c): spans of the caller's
 * buffer, a table that counts distinct keys of spans in first-appearance order,
 * and the RFC 3164 line head as blockcount._RFC3164_KEY reads it.
 *
 * Log lines are attacker-controlled: every read is checked against the line's
 * end, and a key is only ever a span of the caller's buffer.
 */
#ifndef LOGSWEEP_LINES_H
#define LOGSWEEP_LINES_H

#define PY_SSIZE_T_CLEAN
#define _GNU_SOURCE /* memmem */
#include <Python.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    Py_ssize_t off, len;
} Span;

#define MAX_WIDTH 4 /* spans in a key: (stamp, host, program), (stamp, offset), sshd's */

typedef struct {
    Span part[MAX_WIDTH];
    uint64_t hash;
    Py_ssize_t count;
} Entry;

/* Distinct keys in first-appearance order (the order the year walk needs),
 * with an open-addressing index over them. */
typedef struct {
    int width;
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

/* Whether the line [s, end) matches the RFC 3164 key pattern; if so its three
 * spans (relative to base).  A tag that does not match leaves the program
 * empty, as the optional group does. */
static int parse_rfc3164(const unsigned char *base, const unsigned char *s,
                         const unsigned char *end, int minute, Span *key) {
    Span *stamp = &key[0], *host = &key[1], *prog = &key[2];
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

/* A span's bytes mixed into ``h`` eight at a time (every byte counts: keys are
 * attacker-controlled, and a hash that skipped some would let a log force
 * collisions).  The last word carries the span's length, so ("a", "bc") and
 * ("ab", "c") differ. */
static uint64_t span_hash(uint64_t h, const unsigned char *p, Py_ssize_t n) {
    const uint64_t k = 0x9E3779B97F4A7C15ULL;
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    uint64_t w = (uint64_t)n << 56;
    for (Py_ssize_t i = 0; i < n; i++) w |= (uint64_t)p[i] << (8 * i);
    h = (h ^ w) * k;
    return h ^ (h >> 29);
}

static int same_span(const unsigned char *base, Span a, Span b) {
    return a.len == b.len && memcmp(base + a.off, base + b.off, (size_t)a.len) == 0;
}

static int table_init(Table *t, int width) {
    t->width = width;
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

/* Count ``n`` more of ``key``. */
static int table_add(Table *t, const unsigned char *base, const Span *key, Py_ssize_t n) {
    uint64_t hash = 14695981039346656037ULL;
    for (int k = 0; k < t->width; k++) hash = span_hash(hash, base + key[k].off, key[k].len);
    Py_ssize_t j = (Py_ssize_t)(hash & (uint64_t)t->mask);
    for (; t->slots[j] >= 0; j = (j + 1) & t->mask) {
        Entry *e = &t->entries[t->slots[j]];
        int same = e->hash == hash;
        for (int k = 0; same && k < t->width; k++) same = same_span(base, e->part[k], key[k]);
        if (same) {
            e->count += n;
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
    for (int k = 0; k < t->width; k++) e->part[k] = key[k];
    e->hash = hash;
    e->count = n;
    t->slots[j] = t->used++;
    if (t->used * 2 > t->mask) return table_grow_index(t);
    return 0;
}

static PyObject *span_bytes(const unsigned char *base, Span s) {
    return PyBytes_FromStringAndSize((const char *)base + s.off, s.len);
}

/* {key: lines}, keys as tuples of bytes, in first-appearance order. */
static PyObject *table_dict(const Table *t, const unsigned char *base) {
    PyObject *keys = PyDict_New();
    if (!keys) return NULL;
    for (Py_ssize_t i = 0; i < t->used; i++) {
        const Entry *e = &t->entries[i];
        PyObject *key = PyTuple_New(t->width);
        for (int k = 0; key && k < t->width; k++) {
            PyObject *part = span_bytes(base, e->part[k]);
            if (!part) Py_CLEAR(key);
            else PyTuple_SET_ITEM(key, k, part);
        }
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

#endif
