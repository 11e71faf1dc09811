package io.orthrus.cli;

import io.orthrus.io.DecoderFolder;
import io.orthrus.io.PeftAdapter;
import io.orthrus.model.Gpt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code orthrus merge}: a PEFT LoRA adapter added into its base model's weights, written as a model folder in the
 * base's layout (a Hugging Face Llama, Qwen2, Mistral or GPT-2 folder, or an Orthrus GPT checkpoint), which
 * transformers and every command read without the adapter.
 */
@Command(name = "merge", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Merge a PEFT LoRA adapter into its base model and write the merged model in the base's layout.",
        footer = {"", "Examples:", "  orthrus merge --model SmolLM2-135M --adapter runs/smol-lora/model --output smol-merged"})
final class MergeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "The base model folder.")
    Path model;

    @Option(names = "--adapter", required = true, paramLabel = "DIR", description = "The PEFT LoRA adapter folder"
            + " (adapter_config.json, adapter_model.safetensors), or a run directory of train --lora.")
    Path adapter;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Where to write the merged model;"
            + " must not exist.")
    Path output;

    @Override
    public Integer call() throws IOException {
        if (Files.exists(output)) {
            throw new IllegalArgumentException("--output " + output + " already exists; merge writes a new folder");
        }
        DecoderFolder base = DecoderFolder.read(ModelCommands.Loaded.directory(model), "--model");
        Gpt gpt = base.read().model();
        PeftAdapter.load(ModelCommands.Loaded.directory(adapter), gpt).merge();
        base.save(output, gpt);
        System.out.println("merged " + adapter + " into " + model + ": " + output);
        return 0;
    }
}
