//! Variable scopes while compiling one rule definition or query: names to frame slots.
//!
//! A level is a body (rule body, comprehension, `every`). A name used in a nested body that
//! exists in an enclosing level is the same variable (a closure); a name declared with `:=` or
//! `some` gets a fresh slot that shadows. Slots are never reused within a frame.

use super::ir::Slot;
use std::collections::{BTreeSet, HashMap};

#[derive(Default)]
pub(super) struct Scopes {
    levels: Vec<Level>,
    names: Vec<String>,
    wildcard: Vec<bool>,
    alive: Vec<bool>,
    root_names: Vec<(String, Slot)>,
}

#[derive(Default)]
struct Level {
    names: HashMap<String, Slot>,
    /// Declared names whose declaration has not been reached yet.
    hidden: HashMap<String, Slot>,
    order: Vec<(String, Slot)>,
    slots: Vec<Slot>,
}

impl Scopes {
    pub fn new() -> Scopes {
        Scopes::default()
    }

    pub fn push_level(&mut self) {
        self.levels.push(Level::default());
    }

    pub fn pop_level(&mut self) {
        if let Some(level) = self.levels.pop() {
            for s in &level.slots {
                self.alive[*s] = false;
            }
            if self.levels.is_empty() {
                self.root_names = level.order;
            }
        }
    }

    fn new_slot(&mut self, name: &str, wildcard: bool) -> Slot {
        let slot = self.names.len();
        self.names.push(name.to_string());
        self.wildcard.push(wildcard);
        self.alive.push(true);
        if let Some(level) = self.levels.last_mut() {
            level.slots.push(slot);
        }
        slot
    }

    /// A new variable named `name` in the current level.
    pub fn declare(&mut self, name: &str) -> Slot {
        let slot = self.new_slot(name, false);
        if let Some(level) = self.levels.last_mut() {
            level.names.insert(name.to_string(), slot);
            level.order.push((name.to_string(), slot));
        }
        slot
    }

    /// A new anonymous variable (`_`).
    pub fn fresh(&mut self, name: &str) -> Slot {
        self.new_slot(name, true)
    }

    pub fn lookup(&self, name: &str) -> Option<Slot> {
        self.levels
            .iter()
            .rev()
            .find_map(|l| l.names.get(name).copied())
    }

    /// Takes a just-declared variable out of sight until [`Scopes::reveal`].
    pub fn hide(&mut self, slot: Slot) {
        if let Some(level) = self.levels.last_mut() {
            let name = self.names[slot].clone();
            if level.names.get(&name) == Some(&slot) {
                level.names.remove(&name);
                level.hidden.insert(name, slot);
            }
        }
    }

    /// Brings a declared variable into sight (its declaration is reached).
    pub fn reveal(&mut self, name: &str) {
        if let Some(level) = self.levels.last_mut() {
            if let Some(slot) = level.hidden.remove(name) {
                level.names.insert(name.to_string(), slot);
            }
        }
    }

    /// Whether `name` is declared in the current level further on.
    pub fn is_hidden(&self, name: &str) -> bool {
        self.levels
            .last()
            .is_some_and(|l| l.hidden.contains_key(name))
    }

    pub fn current_slots(&self) -> BTreeSet<Slot> {
        self.levels
            .last()
            .map(|l| l.slots.iter().copied().collect())
            .unwrap_or_default()
    }

    pub fn all_slots(&self) -> BTreeSet<Slot> {
        self.levels
            .iter()
            .flat_map(|l| l.slots.iter().copied())
            .collect()
    }

    pub fn is_visible(&self, slot: Slot) -> bool {
        self.alive.get(slot).copied().unwrap_or(false)
    }

    pub fn is_wildcard(&self, slot: Slot) -> bool {
        self.wildcard.get(slot).copied().unwrap_or(false)
    }

    pub fn name_of(&self, slot: Slot) -> String {
        self.names
            .get(slot)
            .cloned()
            .unwrap_or_else(|| format!("${slot}"))
    }

    pub fn frame_size(&self) -> usize {
        self.names.len()
    }

    /// The named variables of the outermost level, once it has been popped (query results).
    pub fn named_vars_of_level0(&self) -> Vec<(String, Slot)> {
        self.root_names.clone()
    }
}
