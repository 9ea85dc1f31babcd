// The tensors of a BERT sequence classifier, named as in Hugging Face's
// BertForSequenceClassification. Linear weights are [out_features, in_features] as PyTorch stores
// them.
#pragma once

#include <vector>

#include "model/tensor.h"

namespace rerankd::model {

struct LinearWeights {
  Tensor weight;  // [out, in]
  Tensor bias;    // [out]
};

struct LayerNormWeights {
  Tensor gamma;  // "weight" in the checkpoint
  Tensor beta;   // "bias" in the checkpoint
};

struct EncoderLayerWeights {
  LinearWeights query;              // attention.self.query
  LinearWeights key;                // attention.self.key
  LinearWeights value;              // attention.self.value
  LinearWeights attention_output;   // attention.output.dense
  LayerNormWeights attention_norm;  // attention.output.LayerNorm
  LinearWeights intermediate;       // intermediate.dense
  LinearWeights output;             // output.dense
  LayerNormWeights output_norm;     // output.LayerNorm
};

struct BertWeights {
  Tensor word_embeddings;        // [vocab, hidden]
  Tensor position_embeddings;    // [max_positions, hidden]
  Tensor token_type_embeddings;  // [type_vocab, hidden]
  LayerNormWeights embedding_norm;
  std::vector<EncoderLayerWeights> layers;
  LinearWeights pooler;      // pooler.dense, followed by tanh
  LinearWeights classifier;  // [num_labels, hidden]
};

}  // namespace rerankd::model
