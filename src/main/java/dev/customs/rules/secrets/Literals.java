package dev.customs.rules.secrets;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

/**
 * A multi-literal scan (Aho–Corasick, as a full transition table over ASCII): one pass over a text tells which of a
 * fixed set of literals occur in it, ignoring ASCII case. It is the cheap first step of the secret scan: a token shape's
 * regular expression runs only on a text that contains one of the shape's literals, so the hot path is one table lookup
 * per character however many shapes there are.
 */
final class Literals {

    private static final int ALPHABET = 128;

    /**
     * Transition per state and (folded) character, at {@code state * ALPHABET + ch}: one flat array of chars, not a row
     * object per state, so a scan follows no pointer and touches a quarter of the memory (it runs on every pod's env
     * values, between reviews that push the table out of the CPU's caches).
     */
    private final char[] next;
    /** Which groups end at each state, including those reached through failure links; null when none. */
    private final int[][] groups;
    private final int groupCount;

    /**
     * @param literalsPerGroup for each group (a token shape), the literals of which every match contains one; ASCII
     *        only, compared without case
     */
    Literals(List<List<String>> literalsPerGroup) {
        this.groupCount = literalsPerGroup.size();
        List<int[]> trie = new ArrayList<>();
        List<BitSet> ends = new ArrayList<>();
        trie.add(empty());
        ends.add(new BitSet());
        for (int g = 0; g < literalsPerGroup.size(); g++) {
            for (String literal : literalsPerGroup.get(g)) {
                if (literal.isEmpty()) {
                    throw new IllegalArgumentException("empty literal in group " + g);
                }
                int state = 0;
                for (char ch : literal.toLowerCase(Locale.ROOT).toCharArray()) {
                    if (ch >= ALPHABET) {
                        throw new IllegalArgumentException("non-ASCII literal " + literal);
                    }
                    if (trie.get(state)[ch] < 0) {
                        trie.get(state)[ch] = trie.size();
                        trie.add(empty());
                        ends.add(new BitSet());
                    }
                    state = trie.get(state)[ch];
                }
                ends.get(state).set(g);
            }
        }
        int n = trie.size();
        if (n > Character.MAX_VALUE + 1) {
            throw new IllegalArgumentException("too many literals: " + n + " states");
        }
        int[] fail = new int[n];
        int[][] rows = new int[n][];
        for (int s = 0; s < n; s++) {
            rows[s] = trie.get(s).clone();
        }
        Deque<Integer> queue = new ArrayDeque<>();
        for (int c = 0; c < ALPHABET; c++) {
            if (rows[0][c] < 0) {
                rows[0][c] = 0;
            } else {
                fail[rows[0][c]] = 0;
                queue.add(rows[0][c]);
            }
        }
        while (!queue.isEmpty()) {
            int s = queue.poll();
            ends.get(s).or(ends.get(fail[s]));
            for (int c = 0; c < ALPHABET; c++) {
                int t = rows[s][c];
                if (t < 0) {
                    rows[s][c] = rows[fail[s]][c];
                } else {
                    fail[t] = rows[fail[s]][c];
                    queue.add(t);
                }
            }
        }
        this.next = new char[n * ALPHABET];
        for (int s = 0; s < n; s++) {
            for (int c = 0; c < ALPHABET; c++) {
                this.next[s * ALPHABET + c] = (char) rows[s][c];
            }
        }
        groups = new int[n][];
        for (int s = 0; s < n; s++) {
            BitSet b = ends.get(s);
            groups[s] = b.isEmpty() ? null : b.stream().toArray();
        }
    }

    private static int[] empty() {
        int[] a = new int[ALPHABET];
        Arrays.fill(a, -1);
        return a;
    }

    int groupCount() {
        return groupCount;
    }

    /** The groups one of whose literals occurs in {@code text}; null when none does (the common case). */
    BitSet scan(CharSequence text) {
        BitSet hit = null;
        int state = 0;
        char[] table = next;
        for (int i = 0, n = text.length(); i < n; i++) {
            char ch = text.charAt(i);
            if (ch >= ALPHABET) {
                state = 0;
                continue;
            }
            if (ch >= 'A' && ch <= 'Z') {
                ch = (char) (ch + 32);
            }
            state = table[state * ALPHABET + ch];
            int[] g = groups[state];
            if (g != null) {
                if (hit == null) {
                    hit = new BitSet(groupCount);
                }
                for (int x : g) {
                    hit.set(x);
                }
            }
        }
        return hit;
    }
}
