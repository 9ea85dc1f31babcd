// BERT's hidden activations (config.json "hidden_act"), as Hugging Face's activations.py
// defines them.
#pragma once

#include <span>

#include "model/bert_config.h"

namespace rerankd::backend::reference {

// "gelu": the exact form, 0.5 x (1 + erf(x / sqrt 2)) (HF GELUActivation / torch's default).
float gelu_erf(float x);
// "gelu_new" and friends: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) (HF NewGELUActivation).
float gelu_tanh(float x);
float relu(float x);

// Applies `act` to every element of x in place.
void apply_activation(std::span<float> x, model::HiddenAct act);

}  // namespace rerankd::backend::reference
