//! Median and spread of repeated measurements.

/// The middle and the spread of a set of samples: quartiles (the interquartile range holds
/// the middle half) and the extremes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub count: usize,
    pub min: f64,
    pub p25: f64,
    pub median: f64,
    pub p75: f64,
    pub max: f64,
}

impl Spread {
    /// `None` for no samples (or a NaN among them, which no measurement here produces).
    pub fn of(samples: &[f64]) -> Option<Self> {
        if samples.is_empty() || samples.iter().any(|sample| sample.is_nan()) {
            return None;
        }
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        Some(Self {
            count: sorted.len(),
            min: sorted[0],
            p25: quantile(&sorted, 0.25),
            median: quantile(&sorted, 0.5),
            p75: quantile(&sorted, 0.75),
            max: sorted[sorted.len() - 1],
        })
    }

    /// The interquartile range, p75 - p25.
    pub fn iqr(&self) -> f64 {
        self.p75 - self.p25
    }
}

/// The `q` quantile of non-empty sorted samples, interpolating linearly between the two
/// nearest ranks (so the median of an even count is the mean of the middle two).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let last = sorted.len() - 1;
    #[allow(clippy::cast_precision_loss)]
    let position = q * last as f64;
    let below = position.floor();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let index = below as usize;
    let fraction = position - below;
    match sorted.get(index + 1) {
        Some(next) => sorted[index] + (next - sorted[index]) * fraction,
        None => sorted[index],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_an_odd_count_is_the_middle_sample() {
        let spread = Spread::of(&[9.0, 1.0, 5.0]).unwrap();
        assert_eq!(spread.median, 5.0);
        assert_eq!((spread.min, spread.max), (1.0, 9.0));
    }

    #[test]
    fn median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(Spread::of(&[4.0, 1.0, 3.0, 2.0]).unwrap().median, 2.5);
    }

    #[test]
    fn quartiles_interpolate_between_ranks() {
        let samples: Vec<f64> = (1..=9).map(f64::from).collect();
        let spread = Spread::of(&samples).unwrap();
        assert_eq!(spread.p25, 3.0);
        assert_eq!(spread.p75, 7.0);
        assert_eq!(spread.iqr(), 4.0);
        assert_eq!(spread.count, 9);
    }

    #[test]
    fn a_single_sample_is_its_own_spread() {
        let spread = Spread::of(&[42.0]).unwrap();
        assert_eq!(
            (
                spread.min,
                spread.p25,
                spread.median,
                spread.p75,
                spread.max
            ),
            (42.0, 42.0, 42.0, 42.0, 42.0)
        );
    }

    #[test]
    fn no_samples_have_no_spread() {
        assert_eq!(Spread::of(&[]), None);
        assert_eq!(Spread::of(&[1.0, f64::NAN]), None);
    }
}
