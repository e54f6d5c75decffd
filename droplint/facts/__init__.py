"""Facts about one line of code that every rule and frontend must read the same way.

One home for each reading, so that one line never gets two answers:

- `training`: whether code runs only in training (guards, conjunctions, early returns,
  `x if self.training else y`, `tf.cond`, Keras `training` arguments), and whether a
  rate follows the training flag;
- `tf`: which TensorFlow version a call means (so whether a positional
  `tf.nn.dropout(x, 0.9)` is a rate or a keep probability);
- `rates`: where a file passes a dropout rate or a keep probability, with its wording;
- `constants`: which module-level names hold one value a rule may read (bound once).
- `bindings`: which names hold a dropout layer (`self.drop = nn.Dropout(0.1)`);
- `classes`: which classes are PyTorch modules, Keras layers or models, through local
  base classes too;
- `test_code`: whether a file is test code (tests force training and extreme rates).
"""
