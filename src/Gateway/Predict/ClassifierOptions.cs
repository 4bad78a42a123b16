using System.ComponentModel.DataAnnotations;

namespace Chat.Gateway.Predict;

/// <summary>The <c>Classifiers</c> section: where classifier models live and which one <c>/predict</c> serves.</summary>
public sealed class ClassifierOptions
{
    public const string SectionName = "Classifiers";

    /// <summary>Folder of <c>&lt;name&gt;/&lt;version&gt;/</c> model folders; relative paths resolve against the content root.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Classifiers:Path is required: the folder holding <name>/<version>/ classifier models.")]
    public string Path { get; set; } = string.Empty;

    /// <summary>The model <c>POST /predict</c> and <c>/predict/batch</c> use.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Classifiers:Default is required: the model name POST /predict serves.")]
    public string Default { get; set; } = string.Empty;

    /// <summary>How often new version folders are picked up while serving; 0 loads only at start.</summary>
    [Range(0, 86_400, ErrorMessage = "Classifiers:RescanSeconds must be between {1} and {2} (0 turns rescanning off).")]
    public int RescanSeconds { get; set; } = 10;
}
