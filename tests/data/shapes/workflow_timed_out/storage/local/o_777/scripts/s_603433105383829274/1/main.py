import asyncio
import pydantic
from typing import Any
from pydantic import BaseModel, Field
import skyvern
from skyvern import RunContext, SkyvernPage


class WorkflowParameters(BaseModel):
    pass




class GeneratedWorkflowParameters(BaseModel):
    """Generated schema representing all input_text action values from the workflow run."""
    pass


@skyvern.workflow(title = 'Read the help page, wait too long, read it again')
async def run_workflow(
    parameters: WorkflowParameters | dict[str, Any],
):
    parameters = parameters.model_dump() if isinstance(parameters, WorkflowParameters) else parameters
    page, context = await skyvern.setup(parameters, GeneratedWorkflowParameters)
    await skyvern.extract(
        prompt = 'Extract what the help page says about usernames and passwords.', 
        schema = {'type': 'object', 'properties': {'sign_in_rule': {'type': 'string'}}}, 
        url = 'http://127.0.0.1:8865/help.html', 
        label = 'read_help',
    )
    await skyvern.wait(
        seconds = 90, 
        label = 'wait_too_long',
    )


@skyvern.cached(cache_key = 'read_help')
async def read_help(page: SkyvernPage, context: RunContext):
    await page.goto('http://127.0.0.1:8865/help.html')
    output = await page.extract(
        prompt = 'Extract what the help page says about usernames and passwords.', 
        schema = {'type': 'object', 'properties': {'sign_in_rule': {'type': 'string'}}},
    )
    return output
