//! A multinomial naive Bayes classifier over the 30 mission types, trained once, at first use,
//! from the shipped corpus (`data/needs-train.jsonl`), the taxonomy labels in French, English
//! and Arabic and a hand-written lexicon (`data/lexicon.json`). Domain scores are the sums of
//! their mission types' probabilities, so a type and its domain always agree.
//!
//! Each document counts a feature once (binary counts suit short texts); features never seen
//! in training are ignored. Deterministic: no randomness, classes in taxonomy order.

use crate::Scored;
use crate::normalize::features;
use jsap_domain::Taxonomy;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Laplace smoothing.
const ALPHA: f64 = 0.3;
/// Weight of a domain label as evidence for each of its mission types.
const DOMAIN_LABEL_WEIGHT: f64 = 0.5;
/// Weight, in log space, of a lexicon cue found in the text, next to the naive Bayes terms.
const CUE_WEIGHT: f64 = 1.0;
/// The softmax temperature grows by one for this many known features.
const FEATURES_PER_DEGREE: f64 = 12.0;

#[derive(Deserialize)]
struct Lexicon {
    mission_types: HashMap<String, Vec<String>>,
}

#[derive(Deserialize)]
struct TrainLine {
    text: String,
    expected_mission_type: String,
}

pub struct Model {
    /// Mission type slugs, in taxonomy order.
    classes: Vec<String>,
    /// Domain of each class.
    domains: Vec<String>,
    /// Per feature, per class: log P(feature | class).
    log_likelihood: HashMap<String, Vec<f64>>,
    /// Per feature of the lexicon: the classes whose cue phrases hold it, and its cue weight
    /// (1 split over those classes, less for a generic word).
    cues: HashMap<String, (Vec<usize>, f64)>,
}

impl Model {
    /// Trains from the embedded data (done once by [`Model::get`]; public for the benchmark).
    /// Panics only if the embedded data is malformed, which a unit test checks.
    #[allow(clippy::expect_used)]
    pub fn train() -> Model {
        let taxonomy = Taxonomy::builtin();
        let lexicon: Lexicon = serde_json::from_str(include_str!("../data/lexicon.json"))
            .expect("the embedded lexicon is valid (unit test)");
        let classes: Vec<String> = taxonomy
            .mission_types
            .iter()
            .map(|m| m.slug.clone())
            .collect();
        let index: HashMap<&str, usize> = classes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.as_str(), i))
            .collect();
        let mut counts: HashMap<String, Vec<f64>> = HashMap::new();
        let mut add_features = |fs: &[String], class: usize, weight: f64| {
            for f in fs {
                match counts.get_mut(f) {
                    Some(per_class) => per_class[class] += weight,
                    None => {
                        let mut per_class = vec![0.0; classes.len()];
                        per_class[class] = weight;
                        counts.insert(f.clone(), per_class);
                    }
                }
            }
        };
        let mut add = |text: &str, class: usize, weight: f64| {
            add_features(&features(text), class, weight);
        };
        for line in include_str!("../data/needs-train.jsonl").lines() {
            if line.trim().is_empty() {
                continue;
            }
            let l: TrainLine =
                serde_json::from_str(line).expect("the embedded corpus is valid (unit test)");
            let class = *index
                .get(l.expected_mission_type.as_str())
                .expect("the corpus names known mission types (unit test)");
            add(&l.text, class, 1.0);
        }
        for (i, m) in taxonomy.mission_types.iter().enumerate() {
            for label in [&m.labels.label_fr, &m.labels.label_en, &m.labels.label_ar] {
                add(label, i, 1.0);
            }
            if let Some(d) = taxonomy.domain(&m.domain) {
                for label in [&d.labels.label_fr, &d.labels.label_en, &d.labels.label_ar] {
                    add(label, i, DOMAIN_LABEL_WEIGHT);
                }
            }
        }
        // The lexicon: each phrase is a training document and its features are cues.
        let mut cue_classes: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, m) in taxonomy.mission_types.iter().enumerate() {
            for phrase in lexicon.mission_types.get(&m.slug).into_iter().flatten() {
                let fs = features(phrase);
                add_features(&fs, i, 1.0);
                for f in fs {
                    let list = cue_classes.entry(f).or_default();
                    if !list.contains(&i) {
                        list.push(i);
                    }
                }
            }
        }
        let generic: std::collections::HashSet<String> = crate::cues::generic_words()
            .iter()
            .flat_map(|w| features(w))
            .collect();
        let generic_weight = crate::cues::GENERIC_WEIGHT;
        let cues = cue_classes
            .into_iter()
            .map(|(f, list)| {
                let w = if is_generic(&generic, &f) {
                    generic_weight
                } else {
                    1.0
                };
                let share = w / list.len() as f64;
                (f, (list, share))
            })
            .collect();
        let vocabulary = counts.len() as f64;
        let mut totals = vec![0.0; classes.len()];
        for per_class in counts.values() {
            for (t, c) in totals.iter_mut().zip(per_class) {
                *t += c;
            }
        }
        let n_classes = classes.len() as f64;
        let log_likelihood = counts
            .into_iter()
            .map(|(f, per_class)| {
                // A word seen with many mission types says little about any of them: its
                // evidence is weighted down (an inverse class frequency).
                let spread = per_class.iter().filter(|c| **c > 0.0).count().max(1) as f64;
                let mut weight = (1.0 + n_classes / spread).ln() / (1.0 + n_classes).ln();
                if is_generic(&generic, &f) {
                    weight *= generic_weight;
                }
                let logs = per_class
                    .iter()
                    .zip(&totals)
                    .map(|(c, t)| weight * ((c + ALPHA) / (t + ALPHA * vocabulary)).ln())
                    .collect();
                (f, logs)
            })
            .collect();
        let domains = taxonomy
            .mission_types
            .iter()
            .map(|m| m.domain.clone())
            .collect();
        Model {
            classes,
            domains,
            log_likelihood,
            cues,
        }
    }

    /// The trained model, shared.
    pub fn get() -> &'static Model {
        static MODEL: OnceLock<Model> = OnceLock::new();
        MODEL.get_or_init(Model::train)
    }

    /// Debug aid: the three best types of `text` and, per known feature, its evidence for
    /// each of them relative to the mean over all types.
    pub fn explain(&self, text: &str) -> Vec<String> {
        let c = self.classify(text);
        let best: Vec<usize> = c
            .mission_types
            .iter()
            .take(3)
            .filter_map(|s| self.classes.iter().position(|k| *k == s.slug))
            .collect();
        let mut out = vec![format!(
            "{:?}",
            c.mission_types
                .iter()
                .take(3)
                .map(|s| (s.slug.as_str(), (s.confidence * 1000.0).round() / 1000.0))
                .collect::<Vec<_>>()
        )];
        for f in features(text) {
            if let Some(logs) = self.log_likelihood.get(&f) {
                let mean = logs.iter().sum::<f64>() / logs.len() as f64;
                let (top, top_log) =
                    logs.iter()
                        .enumerate()
                        .fold(
                            (0, f64::NEG_INFINITY),
                            |a, (i, l)| if *l > a.1 { (i, *l) } else { a },
                        );
                let per_best: Vec<String> = best
                    .iter()
                    .map(|i| format!("{:+.2}", logs[*i] - mean))
                    .collect();
                out.push(format!(
                    "{f:<24} {} | top {} {:+.2}",
                    per_best.join(" "),
                    self.classes[top],
                    top_log - mean
                ));
            }
        }
        out
    }

    /// Mission types and domains of `text`, best first, with probabilities that sum to 1.
    pub fn classify(&self, text: &str) -> Classification {
        let mut scores = vec![0.0f64; self.classes.len()];
        let mut known = 0usize;
        for f in features(text) {
            if let Some(logs) = self.log_likelihood.get(&f) {
                known += 1;
                for (s, l) in scores.iter_mut().zip(logs) {
                    *s += l;
                }
            }
            if let Some((classes, share)) = self.cues.get(&f) {
                for c in classes {
                    scores[*c] += CUE_WEIGHT * share;
                }
            }
        }
        // Naive Bayes is overconfident: a temperature that grows with the evidence keeps the
        // confidences readable (the order is unchanged).
        let temperature = 1.0 + known as f64 / FEATURES_PER_DEGREE;
        let max = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let exp: Vec<f64> = scores
            .iter()
            .map(|s| ((s - max) / temperature).exp())
            .collect();
        let sum: f64 = exp.iter().sum();
        let probs: Vec<f64> = exp.iter().map(|e| e / sum).collect();
        let mut mission_types: Vec<Scored> = self
            .classes
            .iter()
            .zip(&probs)
            .map(|(c, p)| Scored::new(c, *p))
            .collect();
        sort_scored(&mut mission_types);
        let mut domains: Vec<Scored> = Vec::new();
        for (d, p) in self.domains.iter().zip(&probs) {
            match domains.iter_mut().find(|s| s.slug == *d) {
                Some(s) => s.confidence += p,
                None => domains.push(Scored::new(d, *p)),
            }
        }
        sort_scored(&mut domains);
        Classification {
            domains,
            mission_types,
            evidence: known,
        }
    }
}

/// A generic word, or a bigram of which one word is generic.
fn is_generic(generic: &std::collections::HashSet<String>, feature: &str) -> bool {
    generic.contains(feature) || feature.split('_').any(|w| generic.contains(w))
}

/// Best first; ties keep taxonomy order (the sort is stable).
fn sort_scored(list: &mut [Scored]) {
    list.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
}

pub struct Classification {
    pub domains: Vec<Scored>,
    pub mission_types: Vec<Scored>,
    /// How many of the text's features the model knew.
    pub evidence: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_training_data_loads_and_covers_every_type() {
        let m = Model::get();
        assert_eq!(m.classes.len(), 30);
        assert!(m.log_likelihood.len() > 500);
    }

    #[test]
    fn obvious_texts_go_to_their_type_and_domain() {
        let m = Model::get();
        let c = m.classify("campagne de consultations médicales gratuites, médecins recherchés");
        assert_eq!(c.mission_types[0].slug, "consultations-medicales");
        assert_eq!(c.domains[0].slug, "sante");
        let c = m.classify("tree planting day, sponsor seedlings");
        assert_eq!(c.mission_types[0].slug, "reboisement-espaces-verts");
        let total: f64 = c.mission_types.iter().map(|s| s.confidence).sum();
        assert!((total - 1.0).abs() < 1e-9);
    }

    #[test]
    fn one_clear_cue_beats_generic_words() {
        let m = Model::get();
        let c = m.classify(
            "Bonjour, la mairie de Douala cherche des volontaires pour une opération de \
             nettoyage du marché de Ndokoti du 2 au 9 août 2027. Merci!",
        );
        assert_eq!(c.mission_types[0].slug, "operation-proprete-dechets");
        assert_eq!(c.domains[0].slug, "environnement-proprete");
        assert!(c.mission_types[0].confidence > 2.0 * c.mission_types[1].confidence);
    }

    #[test]
    fn domain_agrees_with_best_type_when_it_dominates() {
        let m = Model::get();
        let c = m.classify("inondations, collecte d'urgence de couvertures pour les sinistrés");
        let domain_of_best = Taxonomy::builtin()
            .mission_type(&c.mission_types[0].slug)
            .map(|t| t.domain.clone());
        assert_eq!(domain_of_best.as_deref(), Some(c.domains[0].slug.as_str()));
    }
}
