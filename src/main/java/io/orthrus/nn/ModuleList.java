package io.orthrus.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * An indexed list of sub-modules, registered under their index: the blocks of a Transformer
 * become {@code blocks.0...}, {@code blocks.1...}. Fixed once built.
 */
public final class ModuleList<M extends Module> extends Module implements Iterable<M> {
    private final List<M> modules;

    /** Registers each module under its index. */
    public ModuleList(List<M> modules) {
        this.modules = List.copyOf(new ArrayList<>(modules));
        for (int i = 0; i < this.modules.size(); i++) {
            registerModule(Integer.toString(i), this.modules.get(i));
        }
    }

    /** The module at {@code index}. */
    public M get(int index) {
        return modules.get(index);
    }

    /** Number of modules. */
    public int size() {
        return modules.size();
    }

    /** The modules as a read-only list. */
    public List<M> asList() {
        return Collections.unmodifiableList(modules);
    }

    @Override
    public Iterator<M> iterator() {
        return modules.iterator();
    }
}
