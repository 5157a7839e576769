# The keras3 R package's example of learning_rate_schedule_exponential_decay(), with the
# schedule from lrschedule, through reticulate: decay every 100000 steps with a base of 0.96,
# a Keras SGD optimizer, a small model compiled and fitted on data made here, and the
# learning rates printed.
#
# Run from the repository root, with the project's virtual environment:
#   RETICULATE_PYTHON=.venv/bin/python Rscript examples/keras3_exponential_decay.R
#
# R conventions: `100000` is a double in R and arrives in Python as the float 100000.0,
# which lrschedule takes for an integer argument (a whole number); `100000L` works as well.
# A Python float comes back to R as a number. A numeric vector of steps arrives in Python as
# a list, which a schedule does not take (it takes one step, or an array): the function
# `learning_rates()` below evaluates it step by step and gives a numeric vector back.

library(reticulate)

if (Sys.getenv("RETICULATE_PYTHON") == "" && file.exists(".venv/bin/python")) {
  use_python(".venv/bin/python", required = TRUE)
}
if (Sys.getenv("KERAS_BACKEND") == "") Sys.setenv(KERAS_BACKEND = "tensorflow")

lrschedule <- import("lrschedule")
lrschedule_keras <- import("lrschedule.keras")
# Keras and NumPy objects stay Python objects (convert = FALSE): they go to Keras as they are.
keras <- import("keras", convert = FALSE)
np <- import("numpy", convert = FALSE)
builtins <- import_builtins()
cat(sprintf("python: %s\n", py_config()$python))

initial_learning_rate <- 0.1
# lrschedule.keras's ExponentialDecay is a Keras LearningRateSchedule too: it goes to the
# optimizer as it is, like the keras3 package's learning_rate_schedule_exponential_decay().
lr_schedule <- lrschedule_keras$ExponentialDecay(
  initial_learning_rate,
  decay_steps = 100000,
  decay_rate = 0.96,
  staircase = TRUE
)
cat(sprintf("schedule: %s\n", py_repr(lr_schedule)))

# A numeric vector of steps to a numeric vector of learning rates.
learning_rates <- function(steps) {
  vapply(steps, function(step) lr_schedule(step), numeric(1))
}

# A small classifier on three clusters of points.
invisible(keras$utils$set_random_seed(0L))
rng <- np$random$default_rng(0L)
centers <- np$array(list(c(0, 2), c(2, -1), c(-2, -1)), dtype = "float32")
labels <- rng$integers(0L, 3L, size = 128L)
noise <- rng$normal(scale = 0.8, size = tuple(128L, 2L))
data <- centers$`__getitem__`(labels)$`__add__`(noise)$astype("float32")

model <- keras$Sequential(list(
  keras$Input(shape = tuple(2L)),
  keras$layers$Dense(16L, activation = "relu"),
  keras$layers$Dense(3L, activation = "softmax")
))
invisible(model$compile(
  optimizer = keras$optimizers$SGD(learning_rate = lr_schedule),
  loss = "sparse_categorical_crossentropy",
  metrics = list("accuracy")
))
history <- model$fit(data, labels, epochs = 5L, batch_size = 32L, verbose = 0L)

accuracy <- py_to_r(history$history)$accuracy
iterations <- builtins$int(model$optimizer$iterations)
cat(sprintf("fitted: %d epochs, %d optimizer steps, accuracy %.3f\n",
            length(accuracy), iterations, accuracy[length(accuracy)]))
# Keras's own evaluation of the schedule at the optimizer's step (float32).
cat(sprintf("optimizer step %d lr %.17g\n", iterations,
            builtins$float(model$optimizer$learning_rate)))

steps <- c(0, 99999, 100000, 250000, 1e6)
lrs <- learning_rates(steps)
cat(sprintf("learning_rates(steps) is %s of length %d\n", class(lrs), length(lrs)))
for (i in seq_along(steps)) {
  cat(sprintf("step %.0f lr %.17g\n", steps[i], lrs[i]))
}
